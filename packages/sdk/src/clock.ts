/**
 * Time for the 1v1 core, as an input (DESIGN principle 1): the session, the peer link, requests and the
 * services read the time and set timers only through a Clock, so the simulator (sim/) runs them in virtual
 * time and the real sdk on performance.now and the global timers. Same shape as the swarm engine's
 * SwarmClock, plus the wall clock (viewer tokens expire in Unix time).
 */
export interface Clock {
  /** monotonic milliseconds (performance.now() for real) */
  now(): number;
  /** Unix time in ms (Date.now() for real), for token expiry only */
  epochMs(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  epochMs: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A timer that must not keep a Node process alive by itself (keep-alives, heartbeats, reports). */
export function unrefTimer(handle: unknown): void {
  (handle as { unref?: () => void } | undefined)?.unref?.();
}

/**
 * Calls `fn` every `ms` until the returned function is called. `background`: the timer does not keep a
 * Node process alive (unref).
 */
export function repeat(clock: Clock, ms: number, fn: () => void, background = false): () => void {
  let handle: unknown;
  let stopped = false;
  const arm = () => {
    handle = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      fn();
    }, ms);
    if (background) unrefTimer(handle);
  };
  arm();
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (its timer then goes too). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `p`, or a rejection with `why(ms)` when it has not settled within `ms`, or an AbortError when `signal`
 * aborts first. The timer never outlives the call.
 */
export function withDeadline<T>(
  clock: Clock,
  p: Promise<T>,
  ms: number,
  why: (ms: number) => string,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = (fn: () => void) => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => settle(() => reject(new DOMException('aborted', 'AbortError')));
    const timer = clock.setTimeout(() => settle(() => reject(new Error(why(Math.round(ms))))), ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => settle(() => resolve(v)),
      (err: unknown) => settle(() => reject(err instanceof Error ? err : new Error(String(err)))),
    );
  });
}

/** A signal that aborts when any of `signals` does (AbortSignal.any, for hosts that lack it). */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  const abort = () => {
    controller.abort();
    for (const s of signals) s.removeEventListener('abort', abort);
  };
  for (const s of signals) {
    if (s.aborted) abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  return controller.signal;
}
