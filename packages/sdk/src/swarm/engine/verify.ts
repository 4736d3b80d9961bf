/**
 * Nothing unverified is used or served: every unit (one of the origin's hashed pieces, or the whole chunk
 * without piece hashes) is hashed and compared as soon as it is complete, from a neighbour or from the
 * origin; with piece hashes the whole chunk is checked against its SHA-256 too. A mismatch from a
 * neighbour is that neighbour's fault alone (it only forwards verified pieces): it is dropped, banned and
 * reported (`bad-peer`), and the unit is free for another source. A verified chunk is announced (`have`)
 * and handed to the output.
 */
import type { Assembly } from './assembly.js';
import type { ChunkState, OriginPart, PeerTransfer } from './chunk-state.js';
import type { Neighbour } from './neighbour.js';
import type { PeerCore } from './peer-core.js';

export class Verifier {
  constructor(private readonly core: PeerCore) {}

  /** A unit is complete in place: hash it against the origin's hash before it is served or used. */
  checkUnit(c: ChunkState, asm: Assembly, unit: number, src: PeerTransfer | OriginPart): void {
    const core = this.core;
    const bytes = asm.buf.subarray(asm.unitStart(unit), asm.unitEnd(unit));
    core.io.hash(bytes).then(
      (hex) => {
        if (core.stopped || core.chunks.get(c.meta.seq) !== c || c.asm !== asm || c.data) return;
        const ok = hex === asm.unitHash(unit);
        asm.settle(unit, ok);
        if (!ok) return this.mismatch(c, asm, src);
        if (src.kind === 'peer') {
          core.counters.p2pBytes += bytes.byteLength;
          c.fromPeer = true;
          if (asm.pendingOf(src) === 0 && c.transfers.includes(src)) {
            core.calls.clearPeerFetch(c, src);
            src.from.recordTransfer(src.bytes, core.now() - src.requestedAt, core.opts.throughputEwma);
            if (src.first === 0 && src.end === asm.units) src.from.has.add(c.meta.seq);
          }
        }
        if (asm.complete) return this.finish(c, asm);
        core.calls.announceFetching(c);
        core.uploader.pump();
        if (src.kind === 'peer' && !c.transfers.includes(src)) core.calls.schedule();
      },
      (err: unknown) => {
        asm.settle(unit, false);
        core.log(`hash failed: ${String(err)}`);
      },
    );
  }

  accept(c: ChunkState, bytes: Uint8Array): void {
    const core = this.core;
    c.data = bytes;
    core.uploader.pump();
    core.emit({
      type: 'verified',
      seq: c.meta.seq,
      source: c.fromPeer ? 'peer' : 'origin',
      ageMs: core.now() - c.announcedAt,
    });
    for (const t of [...c.transfers]) core.calls.abandonPeerFetch(c, t, 'got it elsewhere');
    for (const o of c.origin.splice(0)) o.ctl.abort();
    // a peer that does not upload announces nothing: nobody may ask it for chunks
    if (core.io.upload) {
      for (const n of core.neighbours.values()) {
        if (n.greeted && !n.has.has(c.meta.seq)) core.sendTo(n, { type: 'have', seq: c.meta.seq });
      }
    }
    core.calls.tryOutput();
  }

  reportBadPeer(n: Neighbour, seq: number, reason: string): void {
    const core = this.core;
    // the other pieces of its send still in the hash check fail too: one report per neighbour
    if (core.banned.has(n.id)) return;
    core.counters.badPeers++;
    core.banned.add(n.id);
    core.known.delete(n.id);
    core.nonUploaders.delete(n.id);
    core.emit({ type: 'bad-peer', peerId: n.id, seq, reason });
    n.link.close();
    core.calls.detach(n, `bad peer: ${reason}`);
  }

  /** A unit failed its hash: the neighbour that sent it is dropped; the origin is asked again shortly. */
  private mismatch(c: ChunkState, asm: Assembly, src: PeerTransfer | OriginPart): void {
    const core = this.core;
    if (src.kind === 'peer')
      this.reportBadPeer(
        src.from,
        c.meta.seq,
        asm.units > 1 || c.pieces ? 'piece hash mismatch' : 'chunk hash mismatch',
      );
    else {
      c.originRetryAt = core.now() + 500;
      core.emit({ type: 'origin-error', seq: c.meta.seq, reason: 'hash mismatch' });
      core.log(`origin chunk ${c.meta.seq}: hash mismatch`);
    }
    core.calls.schedule();
  }

  /** Every unit passed: with piece hashes, the whole chunk is checked against its SHA-256 too. */
  private finish(c: ChunkState, asm: Assembly): void {
    const core = this.core;
    if (!c.pieces) {
      this.accept(c, asm.buf);
      core.calls.schedule();
      return;
    }
    c.verifying = true;
    core.io.hash(asm.buf).then(
      (hex) => {
        c.verifying = false;
        if (core.stopped || core.chunks.get(c.meta.seq) !== c || c.data) return;
        if (hex === c.meta.hash) this.accept(c, asm.buf);
        else {
          // pieces that match a chunk that does not: the origin's announcement is inconsistent; start over
          c.asm = undefined;
          c.originRetryAt = core.now() + 500;
          core.log(`chunk ${c.meta.seq}: pieces match, chunk hash does not`);
        }
        core.calls.schedule();
      },
      (err: unknown) => {
        c.verifying = false;
        core.log(`hash failed: ${String(err)}`);
      },
    );
  }
}
