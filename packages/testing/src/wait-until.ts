/**
 * The one way tests wait for something to become true: poll a condition until it holds, or fail naming
 * what did not happen. Tests wait for what they need (a stat, a file, a state) instead of sleeping a fixed
 * time, so they are as fast as the machine allows and slow machines only make them slower, not flaky.
 */

export interface WaitOptions {
  /** give up after this long (default 5 s) */
  timeoutMs?: number;
  /** time between two checks (default 50 ms) */
  intervalMs?: number;
  /** what the test waits for, for the timeout's message; a function is asked at the timeout (the state then) */
  what?: string | (() => string);
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Resolves with the first truthy value `condition` returns (it may return a promise); rejects with a
 * WaitTimeoutError after `timeoutMs`. An exception thrown by `condition` ends the wait with that exception.
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const { timeoutMs = 5_000, intervalMs = 50, what = String(condition) } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
    if (performance.now() >= deadline) {
      const described = typeof what === 'function' ? what() : what;
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${described}`);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - performance.now()))),
    );
  }
}
