import type { MeshLink } from './types.js';

/** What we know about one linked neighbour. */
export class Neighbour {
  /** said hello (we know whether it uploads and what it holds) */
  greeted = false;
  uploads = false;
  /** chunks it announced (pruned below our window) */
  readonly has = new Set<number>();
  /** chunks it told us it is fetching */
  readonly fetching = new Set<number>();
  /** chunks of which it holds or fetches only a run of pieces [from, to) (`have`/`fetching` with a range) */
  readonly parts = new Map<number, { from: number; to: number }>();
  /** our requests to it still open */
  readonly requested = new Set<number>();
  /** chunk → time before which we do not ask it again (after `absent` or a stall) */
  readonly backoffUntil = new Map<number, number>();
  /** our requests in a row it answered with not one byte (reset by any piece it sends) */
  silentRequests = 0;
  /** measured bytes/ms of whole chunk transfers (request to last byte); undefined until one finished */
  throughput: number | undefined;

  constructor(
    readonly link: MeshLink,
    readonly outgoing: boolean,
  ) {}

  get id(): string {
    return this.link.peerId;
  }

  /**
   * Pieces [from, to) of chunk `seq` (of `units`) it can send us: all of a chunk it holds or (cut-through)
   * fetches, the announced run of one it has in part; undefined: none.
   */
  offers(seq: number, units: number, cutThrough: boolean): { from: number; to: number; full: boolean } | undefined {
    if (this.has.has(seq)) return { from: 0, to: units, full: true };
    if (!cutThrough) return undefined;
    if (this.fetching.has(seq)) return { from: 0, to: units, full: false };
    const part = this.parts.get(seq);
    return part && part.to <= units ? { ...part, full: false } : undefined;
  }

  recordTransfer(bytes: number, ms: number, weight: number): void {
    const sample = bytes / Math.max(1, ms);
    this.throughput = this.throughput === undefined ? sample : this.throughput * (1 - weight) + sample * weight;
  }

  /** Forgets what it said about chunks outside [low, high]. */
  prune(low: number, high = Infinity): void {
    const out = (s: number) => s < low || s > high;
    for (const s of this.has) if (out(s)) this.has.delete(s);
    for (const s of this.fetching) if (out(s)) this.fetching.delete(s);
    for (const s of this.parts.keys()) if (out(s)) this.parts.delete(s);
    for (const s of this.backoffUntil.keys()) if (out(s)) this.backoffUntil.delete(s);
  }

  /** How many chunk numbers we hold something about (announcements, back-offs): bounded by our window. */
  get stateSize(): number {
    return this.has.size + this.fetching.size + this.parts.size + this.backoffUntil.size;
  }
}
