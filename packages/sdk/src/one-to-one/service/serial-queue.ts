/**
 * One queue per service (pion/webrtc `operations.go`, pion/ice `taskloop`): the service's operations
 * (start, stream, voice, download, reconnect) run one at a time, in call order, so none of them sees
 * another half done. Stopping the service cancels the queue: the operation in flight is interrupted at its
 * next `await` (every wait inside an operation goes through `abortable`), the waiting ones do not start,
 * and each resolves with the value its caller gave for "cancelled" (one of the guide's codes).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly controller = new AbortController();
  /** operations queued or running */
  private pending = 0;

  /** Aborts when the queue is cancelled: operations pass it to what they wait for. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get size(): number {
    return this.pending;
  }

  /** Runs `op` after every operation queued before it; `cancelled` when the queue is cancelled first. */
  run<T>(op: (signal: AbortSignal) => Promise<T>, cancelled: () => T): Promise<T> {
    const signal = this.controller.signal;
    this.pending++;
    const result = this.tail.then(async () => {
      if (signal.aborted) return cancelled();
      try {
        return await op(signal);
      } catch (err) {
        if (isAbortError(err)) return cancelled();
        throw err;
      }
    });
    const settled = result.finally(() => this.pending--);
    this.tail = settled.catch(() => {});
    return settled;
  }

  /** Interrupts the running operation and drops the queued ones. */
  cancel(): void {
    this.controller.abort();
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/**
 * `p`, or an AbortError as soon as `signal` aborts. A value `p` resolves to after the abort goes to
 * `dispose` (a session that opened just too late is closed, not leaked).
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, dispose?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) dispose?.(v);
        else resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
