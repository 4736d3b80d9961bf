/** A token bucket: `capacity` messages at once, refilled at `perSecond`. Caps how fast one socket can make us work. */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(capacity: number, perSecond: number, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#perMs = perSecond / 1000;
    this.#now = now;
    this.#tokens = capacity;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty (the caller drops the message). */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
