/** One section of BENCHMARKS.md: what was measured, how, and the figures. */
export interface BenchSection {
  title: string;
  /** how it was measured, one paragraph */
  method: string;
  rows: [name: string, value: number | string, note?: string][];
}
