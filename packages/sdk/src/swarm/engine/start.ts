/**
 * Where a swarm peer starts: the newest keyframe chunk at least `startLeadMs` old (pickStartChunk, the
 * same rule as the origin's start route); with a GOP longer than the lead, the newest keyframe, held until
 * it is `startLeadMs` old. With `prefetchStart()` called as the tracker join is sent, init + start chunk
 * come in that one origin request, in parallel with the join, so the first frame costs one origin round
 * trip as an HTTP-FLV viewer's does; the answer is verified against the join's hashes, else the engine
 * picks and fetches itself. Each outcome is a typed `start-fetch` event.
 */
import { chunkPieceRanges, pickStartChunk, START_LONG_GOP_SLACK_MS, type ChunkMeta } from '@xp2p/protocol';
import type { ChunkState, StartFetch } from './chunk-state.js';
import type { PeerCore } from './peer-core.js';
import type { OriginStart } from './types.js';

export class StartControl {
  private startFetch: StartFetch | undefined;
  /** chunks up to this number came from the manifest with estimated announce times */
  private estimatedUpTo: number | undefined;

  constructor(private readonly core: PeerCore) {}

  /**
   * Ask the origin for the init part and the start chunk in one request (OriginClient.fetchStart), now,
   * while the tracker join is under way. No-op without fetchStart or with `oneRequestStart` off.
   */
  prefetchStart(): void {
    const core = this.core;
    const { origin } = core.io;
    if (!core.opts.oneRequestStart || !origin.fetchStart || this.startFetch || core.selfId || core.stopped) return;
    const sf: StartFetch = { ctl: new AbortController(), state: 'pending' };
    this.startFetch = sf;
    const issuedAt = core.now();
    origin.fetchStart(core.opts.startLeadMs, sf.ctl.signal).then(
      (r) => {
        const bytes = r.init.byteLength + r.chunk.byteLength;
        core.counters.cdnBytes += bytes;
        if (r.firstByteMs !== undefined) {
          core.calls.recordOriginFetch(r.init.byteLength, r.firstByteMs, true);
          core.calls.recordOriginFetch(bytes, core.now() - issuedAt, false);
        }
        if (sf.state !== 'pending' || core.stopped) return;
        sf.state = 'landed';
        sf.result = r;
        this.useStartFetch();
      },
      (err: unknown) => {
        if (sf.state !== 'pending' || core.stopped) return;
        sf.state = 'settled';
        core.io.clock.clearTimeout(sf.waitTimer);
        core.emit({ type: 'start-fetch', outcome: 'failed', reason: String(err) });
        core.log(`start fetch failed: ${String(err)}; picking the start here`);
        this.tryStart();
      },
    );
  }

  /**
   * We joined: the manifest's chunks are known (their announce times estimated from how far each ends
   * behind the newest), and a start fetch still under way is waited for at most `startFetchWaitMs`.
   */
  joined(recent: readonly ChunkMeta[]): void {
    const core = this.core;
    const newest = recent[recent.length - 1];
    if (newest) {
      const newestEnd = newest.timestamp + newest.duration;
      for (const meta of recent) core.addChunk(meta, core.joinedAt - (newestEnd - meta.timestamp - meta.duration));
      // ... as if the newest was announced just now; the first live announcement corrects that (reanchor)
      this.estimatedUpTo = newest.seq;
    }
  }

  /** After join: wait for a pending start fetch (bounded), use one that landed, or pick the start. */
  begin(): void {
    const core = this.core;
    const sf = this.startFetch;
    if (sf?.state === 'pending') {
      // issued with the tracker join, it usually lands soon after; a slow one is not waited for long
      sf.waitTimer = core.io.clock.setTimeout(() => {
        if (sf.state !== 'pending') return;
        sf.state = 'settled';
        sf.ctl.abort(new Error('start fetch too slow'));
        core.emit({
          type: 'start-fetch',
          outcome: 'too-slow',
          reason: `no answer ${core.opts.startFetchWaitMs} ms after join`,
        });
        core.log(`start fetch: no answer ${core.opts.startFetchWaitMs} ms after join`);
        this.tryStart();
      }, core.opts.startFetchWaitMs);
    }
    this.useStartFetch();
    this.tryStart();
  }

  stop(): void {
    if (!this.startFetch) return;
    this.core.io.clock.clearTimeout(this.startFetch.waitTimer);
    if (this.startFetch.state === 'pending') this.startFetch.ctl.abort();
  }

  /**
   * The first live announcement after joining dates the manifest's chunks exactly: each was announced as
   * long before it as its end lies before this chunk's end. A hold on the first chunk is timed again.
   */
  reanchor(live: ChunkMeta): void {
    const core = this.core;
    if (this.estimatedUpTo === undefined || live.seq <= this.estimatedUpTo) return;
    const liveEnd = live.timestamp + live.duration;
    const now = core.now();
    for (const c of core.chunks.values())
      if (c.meta.seq <= this.estimatedUpTo)
        c.announcedAt = Math.min(c.announcedAt, now - (liveEnd - c.meta.timestamp - c.meta.duration));
    this.estimatedUpTo = undefined;
    if (core.holdTimer !== undefined) {
      core.io.clock.clearTimeout(core.holdTimer);
      core.holdTimer = undefined;
      core.calls.tryOutput();
    }
  }

  /**
   * Pick the start (pickStartChunk, the origin's start route's rule too): the newest keyframe chunk at least
   * `startLeadMs` old, else the oldest keyframe known. Not while a start fetch may still bring one.
   */
  tryStart(): void {
    const core = this.core;
    if (core.startSeq !== undefined || core.stopped) return;
    if (this.startFetch && this.startFetch.state !== 'settled') return;
    const pick = pickStartChunk(core.chunks.values(), core.now(), core.opts.startLeadMs, (c) => ({
      seq: c.meta.seq,
      keyframe: c.meta.keyframe,
      announcedAt: c.announcedAt,
    }));
    if (!pick) return;
    this.startAt(pick);
    core.calls.schedule();
  }

  private startAt(c: ChunkState): void {
    const core = this.core;
    core.startSeq = core.nextSeq = c.meta.seq;
    core.playback.plan(c.meta.timestamp);
    core.startHoldMs = Math.max(core.opts.minStartLagMs, this.startsLongGop(c) ? core.opts.startLeadMs : 0);
    for (const seq of [...core.chunks.keys()]) if (seq < c.meta.seq) core.chunks.delete(seq);
  }

  /**
   * Whether the keyframe before `start` came more than the lead (+ slack) earlier: a long GOP, where the start
   * rule takes the newest keyframe, fresher than the lead (pickStartChunk). Such a start is held until it is
   * `startLeadMs` old, so later chunks still have that long to cross the mesh; the added delay stays within
   * the lead instead of a whole GOP.
   */
  private startsLongGop(start: ChunkState): boolean {
    let previous: ChunkState | undefined;
    for (const c of this.core.chunks.values()) {
      if (c.meta.keyframe && c.meta.seq < start.meta.seq && (!previous || c.meta.seq > previous.meta.seq)) previous = c;
    }
    return (
      previous !== undefined &&
      start.announcedAt - previous.announcedAt > this.core.opts.startLeadMs + START_LONG_GOP_SLACK_MS
    );
  }

  /**
   * The start fetch landed and we have joined: check it against what the tracker and the manifest say
   * (epoch, init hash, chunk hash and piece hashes) and start there; anything off and we pick our own
   * start as without it. Nothing unverified is output or served.
   */
  private useStartFetch(): void {
    const core = this.core;
    const sf = this.startFetch;
    if (!sf || sf.state !== 'landed' || !sf.result || !core.selfId || core.stopped) return;
    sf.state = 'checking';
    core.io.clock.clearTimeout(sf.waitTimer);
    const r = sf.result;
    sf.result = undefined;
    this.checkStart(r).then(
      (problem) => {
        sf.state = 'settled';
        if (core.stopped || core.startSeq !== undefined) return;
        const c = core.chunks.get(r.seq);
        const init = core.inits.get(r.initId);
        if (problem || !c || !init || c.data) {
          core.emit({ type: 'start-fetch', outcome: 'not-used', reason: problem ?? 'chunk changed' });
          core.log(`start fetch not used (${problem ?? 'chunk changed'}): picking the start here`);
          return this.tryStart();
        }
        init.data ??= r.init;
        core.emit({ type: 'start-fetch', outcome: 'used', seq: c.meta.seq });
        core.log(`start at chunk ${c.meta.seq}: init + chunk from the one-request start fetch`);
        this.startAt(c);
        core.counters.urgentFetches++;
        core.emit({ type: 'origin-fetch', seq: c.meta.seq, why: 'urgent', ageMs: core.now() - c.announcedAt });
        core.calls.accept(c, r.chunk);
        core.calls.schedule();
      },
      (err: unknown) => {
        sf.state = 'settled';
        core.emit({ type: 'start-fetch', outcome: 'not-used', reason: `check failed: ${String(err)}` });
        core.log(`start fetch check failed: ${String(err)}`);
        this.tryStart();
      },
    );
  }

  /** Why the start fetch's answer cannot be used, or undefined when it checks out. */
  private async checkStart(r: OriginStart): Promise<string | undefined> {
    const core = this.core;
    const hash = core.io.hash;
    if (r.epoch !== core.epoch) return `epoch ${r.epoch}, joined ${core.epoch}`;
    const c = core.chunks.get(r.seq);
    if (!c) return `unknown chunk ${r.seq}`;
    if (!c.meta.keyframe) return `chunk ${r.seq} is not a keyframe chunk`;
    const init = core.inits.get(r.initId);
    if (!init || c.meta.initId !== r.initId) return `init ${r.initId} does not go with chunk ${r.seq}`;
    if (r.init.byteLength !== init.meta.size || r.chunk.byteLength !== c.meta.size) return 'sizes do not match';
    if ((await hash(r.init)) !== init.meta.hash) return `init ${r.initId}: hash mismatch`;
    if ((await hash(r.chunk)) !== c.meta.hash) return `chunk ${r.seq}: hash mismatch`;
    // pieces are served to neighbours as they are: they must match the piece hashes they will check
    if (c.pieces) {
      const ranges = chunkPieceRanges(c.meta.size, c.pieces.bytes);
      const hashes = await Promise.all(ranges.map(([a, b]) => hash(r.chunk.subarray(a, b))));
      if (hashes.some((h, i) => h !== c.pieces!.hashes[i])) return `chunk ${r.seq}: piece hash mismatch`;
    }
    return undefined;
  }
}
