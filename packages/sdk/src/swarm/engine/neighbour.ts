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
  /** our requests to it still open */
  readonly requested = new Set<number>();
  /** chunk → time before which we do not ask it again (after `absent` or a stall) */
  readonly backoffUntil = new Map<number, number>();
  /** measured bytes/ms of whole chunk transfers (request to last byte); undefined until one finished */
  throughput: number | undefined;

  constructor(
    readonly link: MeshLink,
    readonly outgoing: boolean,
  ) {}

  get id(): string {
    return this.link.peerId;
  }

  recordTransfer(bytes: number, ms: number, weight: number): void {
    const sample = bytes / Math.max(1, ms);
    this.throughput = this.throughput === undefined ? sample : this.throughput * (1 - weight) + sample * weight;
  }

  prune(belowSeq: number): void {
    for (const s of this.has) if (s < belowSeq) this.has.delete(s);
    for (const s of this.fetching) if (s < belowSeq) this.fetching.delete(s);
    for (const s of this.backoffUntil.keys()) if (s < belowSeq) this.backoffUntil.delete(s);
  }
}
