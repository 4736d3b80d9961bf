/**
 * One token bucket per key (a client address, an app), with the number of keys bounded: when full, the
 * least recently used key is forgotten (its next request starts with a fresh bucket, the cost of holding
 * memory flat against an attacker with many addresses).
 */
import { TokenBucket } from './token-bucket.js';

export class KeyedTokenBuckets {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #capacity: number;
  readonly #perSecond: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(capacity: number, perSecond: number, maxKeys = 100_000, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#perSecond = perSecond;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string): boolean {
    let bucket = this.#buckets.get(key);
    if (bucket)
      this.#buckets.delete(key); // re-inserted below: Map order is recency
    else {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
      bucket = new TokenBucket(this.#capacity, this.#perSecond, this.#now);
    }
    this.#buckets.set(key, bucket);
    return bucket.take();
  }
}
