/**
 * Seeding: bringing a chunk into the mesh from the origin, about once for the whole swarm. When no
 * neighbour holds or fetches some pieces, the peers ranked first for that chunk (seed-rank.ts; `chunkSeeds`,
 * more for the large keyframe chunks) pull them from the origin at once, the next ranks after `seedRoundMs`
 * steps if still nobody did and no `seeded` news (flooded once through the mesh) says a seed is at work.
 * A large chunk is seeded in parts: each of its seeds pulls one part and they trade. Whoever gets a chunk
 * announces `fetching` then `have`, so neighbours ask it instead of the origin.
 */
import type { Assembly } from './assembly.js';
import type { ChunkState } from './chunk-state.js';
import type { Neighbour } from './neighbour.js';
import type { PeerCore } from './peer-core.js';
import { seedRank } from './seed-rank.js';

export class Seeding {
  constructor(private readonly core: PeerCore) {}

  /** The span of free pieces that no uploading neighbour holds or fetches (undefined: all are offered). */
  unoffered(c: ChunkState, asm: Assembly): [number, number] | undefined {
    const cutThrough = c.pieces !== undefined;
    const offered = new Uint8Array(asm.units);
    for (const n of this.core.neighbours.values()) {
      if (!n.uploads) continue;
      const offer = n.offers(c.meta.seq, asm.units, cutThrough);
      if (offer) offered.fill(1, offer.from, offer.to);
    }
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < asm.units; i++) {
      if (offered[i] === 1 || !asm.isFree(i)) continue;
      if (lo < 0) lo = i;
      hi = i + 1;
    }
    return lo < 0 ? undefined : [lo, hi];
  }

  /**
   * Nobody around holds or fetches pieces [lo, hi) of it: pull them from the origin if it is our turn (see
   * seed-rank.ts). A large chunk (over `splitSeedFactor` × the average) is seeded in parts: seed r of n
   * fetches only the r-th of n runs of pieces (HTTP Range) and the seeds trade the rest, so the swarm pulls
   * it about once from the origin yet it starts from n places.
   */
  considerSeeding(c: ChunkState, asm: Assembly, [lo, hi]: [number, number], now: number): void {
    const core = this.core;
    const opts = core.opts;
    if (!core.io.upload || !core.playback.started) return;
    if (c.originRetryAt !== undefined && now < c.originRetryAt) return;
    if (c.incomingSince !== undefined && now - c.incomingSince < opts.incomingTimeoutMs) return;
    c.seedRank ??= seedRank(core.selfHash, this.uploaderHashes(), c.meta.seq);
    // a chunk from before we joined was seeded then; while our links are still opening we cannot see
    // who holds it, so count its rounds from when they should be up
    const since = c.announcedAt < core.joinedAt ? core.joinedAt + opts.joinGraceMs : c.announcedAt;
    if (now < since) return;
    const round = Math.floor((now - since) / opts.seedRoundMs);
    // later rounds stand in for seeds that failed or left: not while the news says a seed is at work
    if (round > 0 && c.seededSince !== undefined && now - c.seededSince < opts.seededHoldMs) return;
    // keyframe chunks are the large ones (I-frame): they cross the mesh slowest, so they start from more seeds
    // ... but never a large share of a small swarm, where the mesh is shallow anyway
    const wanted = c.meta.keyframe ? opts.keyframeSeeds : opts.chunkSeeds;
    const cap = Math.max(1, Math.ceil((core.known.size + 1 - core.nonUploaders.size) * opts.maxSeedShare));
    const seeds = Math.min(wanted, cap);
    if (c.seedRank > round + seeds - 1) return;
    if (round === 0 && seeds > 1 && asm.units >= seeds && this.isLargeChunk(c)) {
      const r = c.seedRank;
      const part = asm.firstFreeRun(Math.floor((r * asm.units) / seeds), Math.floor(((r + 1) * asm.units) / seeds));
      if (part) core.calls.fetchFromOrigin(c, 'seed', part);
      return;
    }
    core.calls.fetchFromOrigin(c, 'seed', asm.firstFreeRun(lo, hi) ?? [lo, hi]);
  }

  /**
   * Tell neighbours we will have this chunk soon, so they wait for our `have` instead of pulling it from
   * the origin too. Relayed by everyone who is getting it, so the news crosses the mesh in a few message
   * latencies, much faster than the chunk itself.
   */
  announceFetching(c: ChunkState): void {
    const core = this.core;
    if (!core.io.upload || c.announced === 'whole' || !c.asm) return;
    const run = c.asm.coveredRun();
    if (!run || (run !== 'whole' && c.announced === 'part')) return;
    // a run of pieces first (a seed of one part), the whole chunk once we are getting all of it
    c.announced = run === 'whole' ? 'whole' : 'part';
    const seq = c.meta.seq;
    for (const n of core.neighbours.values()) {
      if (n.greeted && n.uploads && !n.has.has(seq) && !n.fetching.has(seq))
        core.sendTo(n, run === 'whole' ? { type: 'fetching', seq } : { type: 'fetching', seq, ...run });
    }
  }

  /** Pass on (once) the news that this chunk is being seeded, to every neighbour but the one it came from. */
  spreadSeeded(c: ChunkState, from: Neighbour | undefined): void {
    const core = this.core;
    if (c.seededSince !== undefined) return;
    c.seededSince = core.now();
    if (!core.io.upload) return;
    for (const n of core.neighbours.values())
      if (n !== from && n.greeted && n.uploads && !n.has.has(c.meta.seq))
        core.sendTo(n, { type: 'seeded', seq: c.meta.seq });
  }

  private isLargeChunk(c: ChunkState): boolean {
    if (!(this.core.opts.splitSeedFactor > 0)) return false;
    let sum = 0;
    let n = 0;
    for (const other of this.core.chunks.values()) {
      sum += other.meta.size;
      n++;
    }
    return n > 0 && c.meta.size > (this.core.opts.splitSeedFactor * sum) / n;
  }

  private *uploaderHashes(): Iterable<number> {
    for (const [id, h] of this.core.known) if (!this.core.nonUploaders.has(id)) yield h;
  }
}
