/**
 * Remembers the nonces of accepted signatures until their timestamps fall out of the accepted window,
 * so a captured request cannot be replayed. Memory is bounded: expired entries are swept as it grows, and
 * at `capacity` live entries it refuses new ones (fail closed) rather than forget and allow replays.
 */
export type NonceVerdict = 'fresh' | 'replay' | 'full';

export class NonceCache {
  readonly #expiry = new Map<string, number>();
  readonly #capacity: number;
  readonly #now: () => number;
  #insertsSinceSweep = 0;

  constructor(capacity: number, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#now = now;
  }

  get size(): number {
    return this.#expiry.size;
  }

  /** Records `key` as used until `expiresAtMs`; 'replay' if it is already recorded and not yet expired. */
  remember(key: string, expiresAtMs: number): NonceVerdict {
    const now = this.#now();
    const known = this.#expiry.get(key);
    if (known !== undefined && known > now) return 'replay';
    // Sweep every 1024 inserts and whenever full: amortised O(1), and the map never holds much dead weight.
    if (++this.#insertsSinceSweep >= 1024 || this.#expiry.size >= this.#capacity) this.#sweep(now);
    if (this.#expiry.size >= this.#capacity) return 'full';
    this.#expiry.set(key, expiresAtMs);
    return 'fresh';
  }

  #sweep(now: number): void {
    this.#insertsSinceSweep = 0;
    for (const [key, expiry] of this.#expiry) if (expiry <= now) this.#expiry.delete(key);
  }
}
