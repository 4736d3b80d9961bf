/**
 * The core of a swarm peer: for every chunk from the output's next one to the newest, earliest deadline
 * first, decide who brings its missing pieces.
 * - the start chunk, and any chunk whose playback deadline is closer than the urgent lead, comes from the
 *   origin (a neighbour transfer too slow for the deadline is dropped; only the pieces nobody brings in
 *   time are fetched, one Range request), so the output never waits on the mesh;
 * - otherwise neighbours that hold or fetch its pieces are asked (piece-requests.ts), a run each;
 * - pieces no neighbour offers are seeded from the origin when it is our turn (seeding.ts).
 * A peer that does not upload asks neighbours late (`leafRequestDelayMs`), so early copies go where they
 * multiply. The scheduler decides; the parts it calls do the work.
 */
import type { OriginFetcher } from './origin-fetch.js';
import type { PeerCore } from './peer-core.js';
import type { PieceRequests } from './piece-requests.js';
import type { Seeding } from './seeding.js';

export class Scheduler {
  constructor(
    private readonly core: PeerCore,
    private readonly requests: PieceRequests,
    private readonly origin: OriginFetcher,
    private readonly seeding: Seeding,
  ) {}

  schedule(): void {
    const core = this.core;
    if (core.startSeq === undefined || core.stopped) return;
    const firstInit = core.inits.get(core.chunks.get(core.startSeq)?.meta.initId ?? -1);
    if (firstInit && !firstInit.data) core.calls.fetchInit(firstInit);
    const now = core.now();
    // before the first chunk is out: playback starts when the start chunk's hold ends (startHoldMs)
    const startChunk = core.chunks.get(core.startSeq);
    const holdEnd = startChunk ? startChunk.announcedAt + core.startHoldMs : now;
    const startIn = Math.max(core.opts.assumedStartupMs, holdEnd - now);
    for (let seq = core.nextSeq; seq <= core.newestSeq; seq++) {
      const c = core.chunks.get(seq);
      if (!c || c.data || c.verifying) continue;
      const asm = core.assembly(c);
      const deadline = core.playback.deadline(c.meta.timestamp, now, startIn);
      const first = seq === core.startSeq && !core.playback.started;
      const urgentLead = this.origin.urgentLeadMs(c.meta.size);
      if (first || deadline - now < urgentLead) {
        for (const t of [...c.transfers])
          if (!this.requests.willFinishInTime(t, deadline))
            core.calls.abandonPeerFetch(c, t, 'too slow for the deadline');
        // only the pieces nobody brings in time come from the origin (one Range fetch)
        const span = asm.freeSpan();
        if (span && (c.originRetryAt === undefined || now >= c.originRetryAt))
          this.origin.fetchFromOrigin(c, 'urgent', span);
        continue;
      }
      this.requests.dropSlow(c, now);
      if (asm.freeCount() === 0) continue;
      // a peer that does not upload is a leaf: it asks late, when the chunk has spread, so the first copies
      // go to peers that pass them on
      if (!core.io.upload && now < c.announcedAt + core.opts.leafRequestDelayMs && deadline - now > urgentLead + 1000)
        continue;
      // the missing pieces, split among neighbours that hold or fetch them (a run per neighbour)
      while (core.peerRequests < core.opts.maxPeerRequests) {
        const pick = this.requests.pickSource(c, asm, now);
        if (!pick) break;
        this.requests.requestFrom(c, asm, pick.n, pick.run, deadline - now);
      }
      const unoffered = this.seeding.unoffered(c, asm);
      if (unoffered) this.seeding.considerSeeding(c, asm, unoffered, now);
    }
  }
}
