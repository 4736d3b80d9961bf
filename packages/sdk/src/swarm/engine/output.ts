/**
 * The output side of a swarm peer: hands the player the init part, then verified chunks in sequence, holds
 * the first chunk until it is `startHoldMs` old, skips numbers the origin skipped, keeps the playback model
 * (deadlines, stalls) up to date, and fetches (and verifies) init parts from the origin as they are needed.
 */
import type { InitState } from './chunk-state.js';
import type { PeerCore } from './peer-core.js';

export class OutputControl {
  private outputInitId: number | undefined;

  constructor(private readonly core: PeerCore) {}

  tryOutput(): void {
    const core = this.core;
    if (core.startSeq === undefined || core.ended) return;
    for (;;) {
      if (core.endSeq !== undefined && core.nextSeq > core.endSeq) {
        core.ended = true;
        core.emit({ type: 'end', lastSeq: core.endSeq });
        core.io.output.onEnd?.();
        return;
      }
      const c = core.chunks.get(core.nextSeq);
      if (!c) {
        // a number the origin skipped: jump to the next chunk we know of
        const later = [...core.chunks.keys()].filter((s) => s > core.nextSeq);
        if (later.length === 0) return;
        core.nextSeq = Math.min(...later);
        continue;
      }
      if (!c.data) return;
      const init = core.inits.get(c.meta.initId);
      if (!init) return;
      if (this.outputInitId !== c.meta.initId) {
        if (!init.data) {
          this.fetchInit(init);
          return;
        }
        this.outputInitId = c.meta.initId;
        core.io.output.onData(init.data, { kind: 'init' });
      }
      const now = core.now();
      if (!core.playback.started && now < c.announcedAt + core.startHoldMs) {
        // hold the first chunk until it is `startHoldMs` old: every later chunk gets that long to cross the mesh
        core.holdTimer ??= core.io.clock.setTimeout(
          () => {
            core.holdTimer = undefined;
            this.tryOutput();
          },
          c.announcedAt + core.startHoldMs - now,
        );
        return;
      }
      if (!core.playback.started) {
        core.playback.start(now, c.meta.timestamp);
        core.emit({ type: 'start', seq: c.meta.seq, startupMs: now - core.joinedAt });
      } else if (core.playback.delivered(c.meta.timestamp, now) > 0) core.counters.lateChunks++;
      core.counters.chunksOut++;
      core.nextSeq++;
      core.io.output.onData(c.data, { kind: 'chunk', seq: c.meta.seq, meta: c.meta });
    }
  }

  fetchInit(init: InitState): void {
    const core = this.core;
    if (init.fetching || init.data || (init.retryAt !== undefined && core.now() < init.retryAt)) return;
    init.fetching = true;
    const startedAt = core.now();
    core.io.origin
      .fetchInit(init.meta)
      .then(async (bytes) => {
        core.counters.cdnBytes += bytes.byteLength;
        core.calls.recordOriginFetch(bytes.byteLength, core.now() - startedAt, true);
        if ((await core.io.hash(bytes)) !== init.meta.hash) throw new Error(`init ${init.meta.initId}: hash mismatch`);
        init.data = bytes;
      })
      .catch((err: unknown) => {
        init.retryAt = core.now() + 500;
        core.emit({ type: 'origin-error', reason: `init fetch failed: ${String(err)}` });
        core.log(`init fetch failed: ${String(err)}`);
      })
      .finally(() => {
        init.fetching = false;
        if (!core.stopped) this.tryOutput();
      });
  }
}
