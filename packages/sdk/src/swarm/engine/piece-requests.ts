/**
 * Our requests to neighbours: which neighbour to ask for which run of a chunk's pieces (by measured
 * throughput, whole holders before partial ones), the request itself, the pieces that come back, and
 * giving a request up (no first byte, stalled, too slow for the deadline, got it elsewhere). A neighbour
 * given up on for a chunk is left alone for it for `absentBackoffMs`, and its throughput estimate drops.
 */
import { decodePiece } from '@xp2p/protocol';
import type { Assembly } from './assembly.js';
import type { ChunkState, PeerTransfer } from './chunk-state.js';
import type { Neighbour } from './neighbour.js';
import type { PeerCore } from './peer-core.js';

export class PieceRequests {
  constructor(private readonly core: PeerCore) {}

  willFinishInTime(t: PeerTransfer, deadline: number): boolean {
    const now = this.core.now();
    const rate =
      t.firstByteAt !== undefined && now > t.firstByteAt ? t.received / (now - t.firstByteAt) : t.from.throughput;
    if (!rate) return false;
    return now + (t.bytes - t.received) / rate < deadline - 100;
  }

  /** Gives up requests of this chunk that got no first byte in time or stopped making progress. */
  dropSlow(c: ChunkState, now: number): void {
    for (const t of [...c.transfers]) {
      if (t.firstByteAt === undefined && now - t.requestedAt > this.core.opts.firstByteTimeoutMs)
        this.abandonPeerFetch(c, t, 'no answer');
      else if (now - t.lastProgressAt > this.core.opts.requestStallMs) this.abandonPeerFetch(c, t, 'stalled');
    }
  }

  /**
   * A neighbour that holds or fetches free pieces of the chunk and has room for our request, with the first
   * run of free pieces it offers; faster ones, and those offering more of what we miss, more likely.
   */
  pickSource(c: ChunkState, asm: Assembly, now: number): { n: Neighbour; run: [number, number] } | undefined {
    const core = this.core;
    let best: { n: Neighbour; run: [number, number] } | undefined;
    let bestScore = -1;
    let known = 0;
    let sum = 0;
    for (const n of core.neighbours.values()) {
      if (n.throughput === undefined) continue;
      known++;
      sum += n.throughput;
    }
    const assumed = known > 0 ? sum / known : 1;
    const cutThrough = c.pieces !== undefined;
    const free = asm.freeCount();
    const seq = c.meta.seq;
    for (const n of core.neighbours.values()) {
      if (!n.greeted || !n.uploads) continue;
      if (n.requested.size >= core.opts.maxRequestsPerNeighbour) continue;
      // with piece hashes, a neighbour that is still downloading the chunk forwards it as it verifies
      const offer = n.offers(seq, asm.units, cutThrough);
      if (!offer) continue;
      const backoff = n.backoffUntil.get(seq);
      if (backoff !== undefined && now < backoff) continue;
      const run = asm.firstFreeRun(offer.from, offer.to);
      if (!run) continue;
      const score =
        (n.throughput ?? assumed) *
        (offer.full ? 1 : core.opts.partialSourceWeight) *
        ((run[1] - run[0]) / free) *
        (0.75 + 0.5 * core.io.random());
      if (score > bestScore) {
        best = { n, run };
        bestScore = score;
      }
    }
    return best;
  }

  requestFrom(c: ChunkState, asm: Assembly, n: Neighbour, [first, end]: [number, number], slackMs: number): void {
    const core = this.core;
    const now = core.now();
    const t: PeerTransfer = {
      kind: 'peer',
      first,
      end,
      from: n,
      bytes: asm.unitEnd(end - 1) - asm.unitStart(first),
      requestedAt: now,
      firstByteAt: undefined,
      lastProgressAt: now,
      received: 0,
    };
    asm.assign(t);
    c.transfers.push(t);
    n.requested.add(c.meta.seq);
    core.peerRequests++;
    const range = first === 0 && end === asm.units ? {} : { from: first, to: end };
    const slack = Math.max(0, Math.min(600_000, Math.round(slackMs)));
    core.sendTo(n, { type: 'request', seq: c.meta.seq, ...range, slackMs: slack });
    // with piece hashes, `fetching` tells neighbours they may ask us: say it once bytes flow (first piece verified)
    if (!c.pieces) core.calls.announceFetching(c);
  }

  clearPeerFetch(c: ChunkState, t: PeerTransfer): void {
    const i = c.transfers.indexOf(t);
    if (i < 0) return;
    c.transfers.splice(i, 1);
    c.asm?.release(t);
    t.from.requested.delete(c.meta.seq);
    this.core.peerRequests--;
  }

  abandonPeerFetch(c: ChunkState, t: PeerTransfer, why: string): void {
    const core = this.core;
    if (!c.transfers.includes(t)) return;
    this.clearPeerFetch(c, t);
    const now = core.now();
    core.sendTo(t.from, { type: 'cancel', seq: c.meta.seq });
    t.from.backoffUntil.set(c.meta.seq, now + core.opts.absentBackoffMs);
    // what it managed so far is an upper bound of its speed: slow neighbours sink in the choice
    t.from.recordTransfer(Math.max(t.received, 1), now - t.requestedAt, core.opts.throughputEwma);
    core.emit({ type: 'transfer-dropped', seq: c.meta.seq, peerId: t.from.id, reason: why });
    core.log(`chunk ${c.meta.seq} from ${t.from.id}: ${why}`);
    if (t.received === 0 && ++t.from.silentRequests >= core.opts.maxSilentRequests)
      core.calls.shun(t.from, core.opts.silentShunMs, `sent nothing for ${t.from.silentRequests} requests`);
  }

  /** A binary piece from a neighbour: taken only for a request of ours it continues. */
  onPiece(n: Neighbour, frame: Uint8Array): void {
    const core = this.core;
    const piece = decodePiece(frame);
    if (!piece) return core.log(`ignored a malformed piece from ${n.id}`);
    const c = core.chunks.get(piece.seq);
    // pieces of a chunk we cancelled, or never asked this neighbour for, are dropped
    const t = c?.transfers.find((x) => x.from === n);
    if (!c || !t || !c.asm) return;
    if (piece.offset + piece.payload.byteLength > c.meta.size)
      return core.calls.reportBadPeer(n, piece.seq, 'piece out of bounds');
    // taken only where it continues a unit this request is filling; the stale tail of a send we gave up
    // on (or a unit another source fills now) is dropped
    const unit = c.asm.write(t, piece.offset, piece.payload);
    if (unit === undefined) return;
    const now = core.now();
    n.silentRequests = 0;
    t.received += piece.payload.byteLength;
    t.firstByteAt ??= now;
    t.lastProgressAt = now;
    if (unit >= 0) core.calls.checkUnit(c, c.asm, unit, t);
  }
}
