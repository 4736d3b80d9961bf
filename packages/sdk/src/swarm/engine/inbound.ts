/**
 * What neighbours tell us, size- and schema-checked (wire.ts) before anything is read: `hello` (do they
 * upload, what they hold), `have`/`fetching` (whole chunks or runs of pieces), `seeded` news, their
 * requests to us (to the uploader), and `absent` answers to ours. Announcements about chunks behind our
 * window, or more than `maxAheadChunks` ahead of the newest we know, are ignored, so what we keep per
 * neighbour stays bounded whatever it sends; ranges are clamped so a hostile one cannot make us loop.
 * Binary frames are pieces.
 */
import { pieceRun } from './chunk-state.js';
import type { Neighbour } from './neighbour.js';
import type { PeerCore } from './peer-core.js';
import type { PieceRequests } from './piece-requests.js';
import { parsePeerMessage } from './wire.js';

export class InboundMessages {
  constructor(
    private readonly core: PeerCore,
    private readonly requests: PieceRequests,
  ) {}

  onMessage(n: Neighbour, data: string | Uint8Array): void {
    const core = this.core;
    if (core.neighbours.get(n.id) !== n) return;
    if (typeof data !== 'string') return this.requests.onPiece(n, data);
    const msg = parsePeerMessage(data, core.opts.maxControlMessageBytes);
    if (!msg) return core.log(`ignored a malformed message from ${n.id}`);
    const windowLow = core.windowLow();
    const windowHigh = core.windowHigh();
    switch (msg.type) {
      case 'hello':
        return this.hello(n, msg.upload, msg.have, windowLow, windowHigh);
      case 'have':
        if (msg.seq >= windowLow && msg.seq <= windowHigh) this.have(n, msg);
        return;
      case 'fetching':
        if (msg.seq >= windowLow && msg.seq <= windowHigh) this.fetching(n, msg);
        return;
      case 'seeded': {
        const c = msg.seq >= windowLow ? core.chunks.get(msg.seq) : undefined;
        if (c && !c.data) core.calls.spreadSeeded(c, n);
        return;
      }
      case 'request': {
        const part = pieceRun(msg);
        if (part === 'bad') core.sendTo(n, { type: 'absent', seq: msg.seq });
        else core.uploader.request(n, msg.seq, msg.slackMs, part);
        return;
      }
      case 'cancel':
        return core.uploader.cancel(n, msg.seq);
      case 'absent':
        if (msg.seq >= windowLow && msg.seq <= windowHigh) this.absent(n, msg.seq);
        return;
    }
  }

  private hello(
    n: Neighbour,
    upload: boolean,
    have: ReadonlyArray<readonly [number, number]>,
    windowLow: number,
    windowHigh: number,
  ) {
    n.greeted = true;
    n.uploads = upload;
    if (!upload) this.core.nonUploaders.add(n.id);
    else this.core.nonUploaders.delete(n.id);
    for (const [lo, hi] of have) {
      // clamp, so a hostile range cannot make us loop over billions of numbers
      for (let s = Math.max(lo, windowLow); s <= Math.min(hi, lo + 1000, windowHigh); s++) n.has.add(s);
    }
    this.core.calls.schedule();
  }

  private have(n: Neighbour, msg: { seq: number; from?: number; to?: number }): void {
    const part = pieceRun(msg);
    if (part === 'bad') return;
    if (part) n.parts.set(msg.seq, part);
    else {
      n.has.add(msg.seq);
      n.fetching.delete(msg.seq);
      n.parts.delete(msg.seq);
    }
    if (this.core.chunks.get(msg.seq)?.data === undefined) this.core.calls.schedule();
  }

  private fetching(n: Neighbour, msg: { seq: number; from?: number; to?: number }): void {
    const part = pieceRun(msg);
    if (part === 'bad') return;
    if (part) {
      if (!n.fetching.has(msg.seq)) n.parts.set(msg.seq, part);
    } else {
      n.fetching.add(msg.seq);
      n.parts.delete(msg.seq);
    }
    const c = this.core.chunks.get(msg.seq);
    if (c && !c.data) {
      // a seed of one part holds back only the seeding of that part (see Seeding.unoffered)
      if (!part) c.incomingSince ??= this.core.now();
      if (c.pieces && (!c.asm || c.asm.freeCount() > 0)) this.core.calls.schedule();
    }
  }

  private absent(n: Neighbour, seq: number): void {
    const core = this.core;
    n.has.delete(seq);
    n.fetching.delete(seq);
    n.parts.delete(seq);
    n.backoffUntil.set(seq, core.now() + core.opts.absentBackoffMs);
    const c = core.chunks.get(seq);
    for (const t of c?.transfers.filter((x) => x.from === n) ?? []) core.calls.clearPeerFetch(c!, t);
    core.calls.schedule();
  }
}
