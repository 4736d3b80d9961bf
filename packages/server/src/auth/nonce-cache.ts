/**
 * Remembers the nonces of accepted signatures until their timestamps fall out of the accepted window,
 * so a captured request cannot be replayed. Memory is bounded: expired entries are swept as it grows, and
 * at `capacity` live entries it refuses new ones (fail closed) rather than forget and allow replays.
 * Each owner (an app) also has its own budget inside the capacity, so one app signing as fast as it can
 * fills only its own share and the other apps are still served.
 */
export type NonceVerdict = 'fresh' | 'replay' | 'full';

interface Entry {
  expiry: number;
  owner: string;
}

export class NonceCache {
  readonly #entries = new Map<string, Entry>();
  readonly #perOwner = new Map<string, number>();
  readonly #capacity: number;
  readonly #ownerCapacity: number;
  readonly #now: () => number;
  #insertsSinceSweep = 0;

  constructor(capacity: number, now: () => number = Date.now, ownerCapacity = capacity) {
    this.#capacity = capacity;
    this.#now = now;
    this.#ownerCapacity = ownerCapacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Records `key` as used until `expiresAtMs`; 'replay' if it is already recorded and not yet expired. */
  remember(key: string, expiresAtMs: number, owner = ''): NonceVerdict {
    const now = this.#now();
    const known = this.#entries.get(key);
    if (known !== undefined && known.expiry > now) return 'replay';
    const ownerFull = () => (this.#perOwner.get(owner) ?? 0) >= this.#ownerCapacity;
    // Sweep every 1024 inserts and whenever full: amortised O(1), and the map never holds much dead weight.
    if (++this.#insertsSinceSweep >= 1024 || this.#entries.size >= this.#capacity || ownerFull()) this.#sweep(now);
    if (this.#entries.size >= this.#capacity || ownerFull()) return 'full';
    if (known) this.#forget(key, known);
    this.#entries.set(key, { expiry: expiresAtMs, owner });
    this.#perOwner.set(owner, (this.#perOwner.get(owner) ?? 0) + 1);
    return 'fresh';
  }

  #forget(key: string, entry: Entry): void {
    this.#entries.delete(key);
    const left = (this.#perOwner.get(entry.owner) ?? 1) - 1;
    if (left > 0) this.#perOwner.set(entry.owner, left);
    else this.#perOwner.delete(entry.owner);
  }

  #sweep(now: number): void {
    this.#insertsSinceSweep = 0;
    for (const [key, entry] of this.#entries) if (entry.expiry <= now) this.#forget(key, entry);
  }
}
