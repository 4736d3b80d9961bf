/**
 * The time budget of each property-based fuzz target: FUZZ_SECONDS (default 2 inside `npm test`;
 * `npm run fuzz` gives each 30 s, or whatever FUZZ_SECONDS says). fast-check runs as many cases as fit,
 * shrinks any failure to its smallest input and prints the seed that replays it.
 */
import type { Parameters as FcParameters } from 'fast-check';

export const FUZZ_MS = Math.max(100, Number(process.env.FUZZ_SECONDS ?? 2) * 1000);

/** fast-check parameters: unbounded runs, stopped by the budget (stopping is not a failure). */
export const fuzzRuns = <T>(): FcParameters<T> => ({
  numRuns: Number.MAX_SAFE_INTEGER,
  interruptAfterTimeLimit: FUZZ_MS,
  markInterruptAsFailure: false,
});

/** vitest timeout for one fuzz test: its budget plus room for the last case and shrinking. */
export const FUZZ_TEST_TIMEOUT = FUZZ_MS + 60_000;

/** Runs `fn`; anything it throws must be one of `allowed` (the parser's documented refusal). */
export function onlyThrows(fn: () => unknown, ...allowed: (abstract new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (err) {
    if (!allowed.some((cls) => err instanceof cls)) throw err;
  }
}
