/**
 * Names of the files the segment recorder writes. The start time is in the name from the moment a segment
 * opens, so even an index lost with the disk's last writes can be rebuilt from the directory alone.
 *   rec_<start>.flv.part         being written (never listed, never served as a recording)
 *   rec_<start>_<end>.flv        finished; unix seconds, UTC
 */
const FINISHED = /^rec_(\d{9,11})_(\d{9,11})\.flv$/;
const IN_PROGRESS = /^rec_(\d{9,11})\.flv\.part$/;

export const segmentPartName = (startS: number): string => `rec_${startS}.flv.part`;
export const segmentFileName = (startS: number, endS: number): string => `rec_${startS}_${endS}.flv`;

/** The times in a finished segment's name, or undefined for any other name. */
export function parseSegmentFileName(name: string): { start: number; end: number } | undefined {
  const m = FINISHED.exec(name);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return end >= start ? { start, end } : undefined;
}

/** The start time in an in-progress segment's name (left behind by a crash), or undefined. */
export function parseSegmentPartName(name: string): number | undefined {
  const m = IN_PROGRESS.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Files of the store itself, never offered as recordings or downloads. */
export const INDEX_FILE = 'index.json';
export const isStoreInternal = (name: string): boolean =>
  name === INDEX_FILE || name.startsWith('.') || name.endsWith('.part') || name.endsWith('.tmp');
