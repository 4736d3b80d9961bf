/**
 * One chunk being put together from pieces, possibly from several sources at once (runs of pieces from
 * different neighbours, and from the origin over HTTP Range). A "unit" is what can be verified alone: one
 * of the origin's hashed pieces, or the whole chunk when the origin sent no piece hashes. Each unit that
 * is not verified yet is filled by at most one source at a time (its owner), so a bad unit is always one
 * sender's fault. Only verified units are served to neighbours or go into the chunk.
 */
import type { ChunkMeta } from '@xp2p/protocol';

/** Whoever fills some units now: a request to a neighbour, or an origin fetch. */
export interface UnitSource {
  readonly kind: 'peer' | 'origin';
  /** units [first, end) asked of it */
  readonly first: number;
  readonly end: number;
}

export class Assembly {
  readonly unitBytes: number;
  readonly units: number;
  /** bytes of units, in place: verified ones may be forwarded */
  readonly buf: Uint8Array;
  private readonly verified: Uint8Array;
  verifiedCount = 0;
  /** bytes of each unverified unit received so far (in order, from its owner) */
  private readonly got: number[];
  private readonly owner: Array<UnitSource | undefined>;
  /** a unit's hash is being computed: it is neither free nor verified */
  private readonly hashing: Uint8Array;

  constructor(
    readonly meta: ChunkMeta,
    private readonly hashes: readonly string[] | undefined,
    pieceBytes: number | undefined,
  ) {
    this.unitBytes = hashes && pieceBytes ? pieceBytes : meta.size;
    this.units = hashes ? hashes.length : 1;
    this.buf = new Uint8Array(meta.size);
    this.verified = new Uint8Array(this.units);
    this.hashing = new Uint8Array(this.units);
    this.got = new Array<number>(this.units).fill(0);
    this.owner = new Array<UnitSource | undefined>(this.units).fill(undefined);
  }

  get complete(): boolean {
    return this.verifiedCount === this.units;
  }

  /** The hash a unit must have: its piece hash, or the chunk's. */
  unitHash(i: number): string {
    return this.hashes ? this.hashes[i]! : this.meta.hash;
  }

  unitStart(i: number): number {
    return i * this.unitBytes;
  }

  unitEnd(i: number): number {
    return Math.min(this.meta.size, (i + 1) * this.unitBytes);
  }

  /** [first, end) units covering bytes [start, end) (byte ends rounded out). */
  unitsOfBytes(start: number, end: number): [number, number] {
    return [Math.floor(start / this.unitBytes), Math.ceil(end / this.unitBytes)];
  }

  isVerified(i: number): boolean {
    return this.verified[i] === 1;
  }

  /** Verified, or someone is filling it / it is being hashed: we will have it. */
  isCovered(i: number): boolean {
    return this.verified[i] === 1 || this.hashing[i] === 1 || this.owner[i] !== undefined;
  }

  /** Neither verified, nor being filled or hashed: needs a source. */
  isFree(i: number): boolean {
    return !this.isCovered(i);
  }

  ownerOf(i: number): UnitSource | undefined {
    return this.owner[i];
  }

  /** Free units in [first, end): the first contiguous run of them, or undefined. */
  firstFreeRun(first: number, end: number): [number, number] | undefined {
    let i = first;
    while (i < end && !this.isFree(i)) i++;
    if (i >= end) return undefined;
    let j = i;
    while (j < end && this.isFree(j)) j++;
    return [i, j];
  }

  /** The smallest span holding every free unit (one Range fetch), or undefined when none is free. */
  freeSpan(): [number, number] | undefined {
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < this.units; i++) {
      if (!this.isFree(i)) continue;
      if (lo < 0) lo = i;
      hi = i + 1;
    }
    return lo < 0 ? undefined : [lo, hi];
  }

  freeCount(): number {
    let n = 0;
    for (let i = 0; i < this.units; i++) if (this.isFree(i)) n++;
    return n;
  }

  /** Give the free units of [first, end) to `src`. */
  assign(src: UnitSource): void {
    for (let i = src.first; i < src.end; i++) if (this.isFree(i)) this.owner[i] = src;
  }

  /** `src` gives up: its units it did not complete are free again (what it sent of them is dropped). */
  release(src: UnitSource): void {
    for (let i = src.first; i < src.end; i++) {
      if (this.owner[i] !== src) continue;
      this.owner[i] = undefined;
      if (this.hashing[i] !== 1) this.got[i] = 0;
    }
  }

  /** Units of [first, end) still owned by `src` (not yet in). */
  pendingOf(src: UnitSource): number {
    let n = 0;
    for (let i = src.first; i < src.end; i++) if (this.owner[i] === src) n++;
    return n;
  }

  /**
   * Bytes for [offset, offset+len) from `src`. Taken only when they continue what `src` sent of one unit it
   * owns; returns the unit when it is now complete (hash it), -1 when taken, undefined when dropped.
   */
  write(src: UnitSource, offset: number, bytes: Uint8Array): number | -1 | undefined {
    const i = Math.floor(offset / this.unitBytes);
    if (i >= this.units || this.owner[i] !== src || this.hashing[i] === 1) return undefined;
    if (offset !== this.unitStart(i) + this.got[i]! || offset + bytes.byteLength > this.unitEnd(i)) return undefined;
    this.buf.set(bytes, offset);
    this.got[i]! += bytes.byteLength;
    if (this.unitStart(i) + this.got[i]! < this.unitEnd(i)) return -1;
    this.hashing[i] = 1;
    return i;
  }

  /** The hash of unit `i` is known: keep it (true) or drop its bytes (false). Its owner no longer owns it. */
  settle(i: number, ok: boolean): void {
    this.hashing[i] = 0;
    this.owner[i] = undefined;
    this.got[i] = 0;
    if (ok && this.verified[i] !== 1) {
      this.verified[i] = 1;
      this.verifiedCount++;
    }
  }

  /**
   * The announcement that fits what we have or will have: whole, one run [from, to), or nothing. Several
   * runs announce the first (a neighbour asking for others gets `absent` and asks elsewhere).
   */
  coveredRun(): { from: number; to: number } | 'whole' | undefined {
    let from = -1;
    let to = -1;
    for (let i = 0; i < this.units; i++) {
      if (!this.isCovered(i)) {
        if (from >= 0) break;
        continue;
      }
      if (from < 0) from = i;
      to = i + 1;
    }
    if (from < 0) return undefined;
    return from === 0 && to === this.units ? 'whole' : { from, to };
  }
}
