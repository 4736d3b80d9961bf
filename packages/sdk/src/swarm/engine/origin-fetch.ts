/**
 * Pieces from the origin: seeding fetches (our turn to bring a chunk into the mesh) and the urgent fallback
 * (a deadline is near), each one HTTP Range request for a run of pieces (a plain GET for the whole chunk).
 * Every fetch is timed: the urgent lead adapts to this peer's measured origin path (round trip + size /
 * rate), so a peer with a fast origin path leaves the mesh more time.
 */
import type { ChunkState, OriginPart } from './chunk-state.js';
import type { PeerCore } from './peer-core.js';

export class OriginFetcher {
  /** measured origin fetches: round trip (from the small init fetch) and bytes/ms of chunk fetches */
  private originRttMs: number | undefined;
  private originRate: number | undefined;

  constructor(private readonly core: PeerCore) {}

  /**
   * How long before its deadline a chunk must be asked of the origin: what a fetch of this size took here
   * (round trip + size at the measured rate), with room to spare, between `minUrgentMs` and `urgentMs`
   * (the latter until measured).
   */
  urgentLeadMs(size: number): number {
    const opts = this.core.opts;
    if (this.originRttMs === undefined || this.originRate === undefined) return opts.urgentMs;
    const est = opts.urgentSafety * (this.originRttMs + size / this.originRate) + opts.urgentMarginMs;
    return Math.min(opts.urgentMs, Math.max(opts.minUrgentMs, est));
  }

  recordOriginFetch(bytes: number, ms: number, isInit: boolean): void {
    if (isInit || this.originRttMs === undefined) {
      // the init part is small: its fetch time is about the round trip
      this.originRttMs = this.originRttMs === undefined ? ms : Math.max(0.7 * this.originRttMs + 0.3 * ms, 1);
      if (isInit) return;
    }
    const sample = bytes / Math.max(1, ms - this.originRttMs);
    this.originRate = this.originRate === undefined ? sample : 0.7 * this.originRate + 0.3 * sample;
  }

  /** Units [first, end) from the origin: one HTTP Range fetch (a plain GET for the whole chunk). */
  fetchFromOrigin(c: ChunkState, why: 'seed' | 'urgent', [first, end]: [number, number]): void {
    const core = this.core;
    const asm = core.assembly(c);
    const part: OriginPart = { kind: 'origin', first, end, ctl: new AbortController() };
    asm.assign(part);
    c.origin.push(part);
    if (why === 'seed') {
      core.counters.seedFetches++;
      core.calls.spreadSeeded(c, undefined);
    } else core.counters.urgentFetches++;
    core.emit({ type: 'origin-fetch', seq: c.meta.seq, why, ageMs: core.now() - c.announcedAt });
    core.calls.announceFetching(c);
    const startedAt = core.now();
    const a = asm.unitStart(first);
    const b = asm.unitEnd(end - 1);
    const range: [number, number] | undefined = a === 0 && b === c.meta.size ? undefined : [a, b];
    const done = () => {
      const i = c.origin.indexOf(part);
      if (i < 0) return false;
      c.origin.splice(i, 1);
      return true;
    };
    const failed = (reason: string) => {
      asm.release(part);
      c.originRetryAt = core.now() + 200;
      core.emit({ type: 'origin-error', seq: c.meta.seq, reason });
      core.log(`origin chunk ${c.meta.seq}: ${reason}`);
    };
    core.io.origin.fetchChunk(c.meta, part.ctl.signal, range).then(
      (bytes) => {
        if (!done()) return;
        core.counters.cdnBytes += bytes.byteLength;
        this.recordOriginFetch(bytes.byteLength, core.now() - startedAt, false);
        if (bytes.byteLength !== b - a || core.chunks.get(c.meta.seq) !== c || c.asm !== asm)
          return failed(`${bytes.byteLength} bytes, expected ${b - a}`);
        for (let u = first; u < end; u++) {
          const at = asm.unitStart(u);
          const unit = asm.write(part, at, bytes.subarray(at - a, asm.unitEnd(u) - a));
          if (unit !== undefined && unit >= 0) core.calls.checkUnit(c, asm, unit, part);
        }
        asm.release(part);
      },
      (err: unknown) => {
        if (done()) failed(String(err));
      },
    );
  }
}
