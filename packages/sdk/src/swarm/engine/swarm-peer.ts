/**
 * One viewer in a 1vN swarm: turns origin announcements, neighbours and the origin into one ordered,
 * verified byte stream (init, then chunks from a keyframe chunk near the live edge).
 *
 * This class is the engine's face: what the caller feeds in (tracker events, origin announcements), what
 * it reads back (stats, typed events), and the housekeeping tick. The work is split by job, each part in
 * its own file around a small scheduler, all sharing one PeerCore (peer-core.ts):
 * - start.ts: where to start (pickStartChunk; the one-request start fetched with the tracker join);
 * - output.ts: init + verified chunks in sequence to the player, the first one held, playback deadlines;
 * - scheduler.ts: per chunk, earliest deadline first: origin when urgent, else neighbours, else seeding;
 * - piece-requests.ts: requests to neighbours, by measured throughput, runs of pieces (cut-through);
 * - origin-fetch.ts: seeding fetches and the urgent fallback (HTTP Range), the measured urgent lead;
 * - seeding.ts: whose turn it is to pull a chunk into the mesh, `fetching`/`seeded` news;
 * - verify.ts: every piece hashed before use or forwarding; a neighbour that sent a mismatch is dropped;
 * - links.ts + inbound.ts: neighbour links and what neighbours say; uploader.ts: serving them.
 */
import type { OriginEvent } from '@xp2p/protocol';
import { SWARM_DEFAULTS, type SwarmOptions } from './defaults.js';
import type { SwarmEvents } from './events.js';
import { webCryptoSha256Hex } from './hash.js';
import { InboundMessages } from './inbound.js';
import { Links } from './links.js';
import { OriginFetcher } from './origin-fetch.js';
import { OutputControl } from './output.js';
import { PeerCore } from './peer-core.js';
import { PieceRequests } from './piece-requests.js';
import { Scheduler } from './scheduler.js';
import { Seeding } from './seeding.js';
import { idHash } from './seed-rank.js';
import { StartControl } from './start.js';
import type { HashFn, MeshTransport, OriginClient, SwarmClock, SwarmJoin, SwarmOutput, SwarmStats } from './types.js';
import { Uploader, type UploadSource } from './uploader.js';
import { Verifier } from './verify.js';

export interface SwarmPeerArgs {
  clock: SwarmClock;
  origin: OriginClient;
  mesh: MeshTransport;
  output: SwarmOutput;
  /** false (mobile mode): never serve neighbours (answer `absent`), never seed; still download from them. */
  upload: boolean;
  hash?: HashFn;
  /** [0,1) random source; the simulator passes a seeded one */
  random?: () => number;
  options?: Partial<SwarmOptions>;
}

export class SwarmPeer {
  private readonly core: PeerCore;
  private readonly start: StartControl;
  private readonly output: OutputControl;
  private readonly scheduler: Scheduler;
  private readonly links: Links;
  private tickTimer: unknown;
  private ticks = 0;

  constructor(args: SwarmPeerArgs) {
    const opts = Object.freeze({ ...SWARM_DEFAULTS, ...args.options });
    const core = new PeerCore({
      clock: args.clock,
      origin: args.origin,
      mesh: args.mesh,
      output: args.output,
      upload: args.upload,
      hash: args.hash ?? webCryptoSha256Hex,
      random: args.random ?? Math.random,
      opts,
    });
    this.core = core;
    core.uploader = new Uploader({
      enabled: args.upload,
      maxQueue: opts.maxUploadQueue,
      maxBacklogMs: opts.maxUploadBacklogMs,
      pieceBytes: opts.pieceBytes,
      tightSlackMs: opts.tightSlackMs,
      now: () => core.now(),
      source: (seq) => this.uploadSource(seq),
      isLinked: (n) => core.neighbours.get(n.id) === n,
      sendAbsent: (n, seq, range) => core.sendTo(n, { type: 'absent', seq, ...range }),
    });
    const requests = new PieceRequests(core);
    const origin = new OriginFetcher(core);
    const seeding = new Seeding(core);
    const verifier = new Verifier(core);
    this.start = new StartControl(core);
    this.output = new OutputControl(core);
    this.scheduler = new Scheduler(core, requests, origin, seeding);
    this.links = new Links(core, new InboundMessages(core, requests));
    core.calls = {
      schedule: () => this.scheduler.schedule(),
      tryOutput: () => this.output.tryOutput(),
      fetchInit: (init) => this.output.fetchInit(init),
      tryStart: () => this.start.tryStart(),
      fetchFromOrigin: (c, why, span) => origin.fetchFromOrigin(c, why, span),
      recordOriginFetch: (bytes, ms, isInit) => origin.recordOriginFetch(bytes, ms, isInit),
      announceFetching: (c) => seeding.announceFetching(c),
      spreadSeeded: (c, from) => seeding.spreadSeeded(c, from),
      checkUnit: (c, asm, unit, src) => verifier.checkUnit(c, asm, unit, src),
      accept: (c, bytes) => verifier.accept(c, bytes),
      reportBadPeer: (n, seq, reason) => verifier.reportBadPeer(n, seq, reason),
      clearPeerFetch: (c, t) => requests.clearPeerFetch(c, t),
      abandonPeerFetch: (c, t, why) => requests.abandonPeerFetch(c, t, why),
      maintainLinks: () => this.links.maintainLinks(),
      detach: (n, reason) => this.links.detach(n, reason),
      shun: (n, ms, reason) => this.links.shun(n, ms, reason),
    };
  }

  /** Typed events (start-fetch, bad-peer, transfer-dropped, ...): `peer.events.on(type, listener)`. */
  get events(): Pick<SwarmEvents, 'on' | 'onAny'> {
    return this.core.events;
  }

  // ---- inputs from the caller (tracker events) ----

  join(j: SwarmJoin): void {
    const core = this.core;
    core.selfId = j.peerId;
    core.selfHash = idHash(j.peerId);
    core.epoch = j.epoch;
    core.joinedAt = core.now();
    core.inits.set(j.init.initId, { meta: j.init, fetching: false });
    this.start.joined(j.recentChunks ?? []);
    this.links.attachEarly();
    this.links.addPeers(j.neighbours, j.noUpload);
    this.tickTimer = core.io.clock.setTimeout(() => this.tick(), core.opts.tickMs);
    this.start.begin();
  }

  /**
   * Ask the origin for the init part and the start chunk in one request (OriginClient.fetchStart), now,
   * while the tracker join is under way: the first frame then costs one origin round trip, like a plain
   * HTTP-FLV viewer's. Call before join(); join() waits for the answer (at most `startFetchWaitMs`),
   * verifies it and starts there, or picks its own start as without it. No-op without fetchStart or with
   * `oneRequestStart` off.
   */
  prefetchStart(): void {
    this.start.prefetchStart();
  }

  /**
   * `noUpload`: those of `ids` the tracker says do not upload. They are left out of our seeding order at
   * once (not only after their `hello`), so our rank agrees with what the rest of the swarm computes.
   */
  addPeers(ids: readonly string[], noUpload?: readonly string[]): void {
    this.links.addPeers(ids, noUpload);
  }

  peerLeft(id: string): void {
    this.links.peerLeft(id);
  }

  originEvent(ev: OriginEvent): void {
    const core = this.core;
    if (core.stopped || ev.epoch !== core.epoch) return;
    switch (ev.type) {
      case 'chunk': {
        this.start.reanchor(ev.chunk);
        const c = core.addChunk(ev.chunk, core.now());
        this.start.tryStart();
        if (c) this.scheduler.schedule();
        break;
      }
      case 'init':
        if (!core.inits.has(ev.init.initId)) core.inits.set(ev.init.initId, { meta: ev.init, fetching: false });
        break;
      case 'eof':
        core.endSeq = ev.lastSeq;
        this.output.tryOutput();
        break;
    }
  }

  stop(): void {
    const core = this.core;
    if (core.stopped) return;
    core.stopped = true;
    core.io.clock.clearTimeout(this.tickTimer);
    core.io.clock.clearTimeout(core.holdTimer);
    this.start.stop();
    for (const c of core.chunks.values()) for (const o of c.origin) o.ctl.abort();
    for (const n of [...core.neighbours.values()]) {
      n.link.close();
      this.links.detach(n, 'stopped');
    }
  }

  stats(): SwarmStats {
    const core = this.core;
    const newest = core.chunks.get(core.newestSeq);
    const pos = core.playback.position(core.now());
    return {
      ...core.counters,
      uploadBytes: core.uploader.uploadBytes,
      peers: [...core.neighbours.values()].filter((n) => n.greeted).length,
      stalls: core.playback.stalls,
      stallMs: core.playback.stallMs,
      lagMs: newest && pos !== undefined ? Math.max(0, newest.meta.timestamp + newest.meta.duration - pos) : undefined,
      startSeq: core.startSeq,
      nextSeq: core.startSeq === undefined ? undefined : core.nextSeq,
      neighbourState: [...core.neighbours.values()].reduce((sum, n) => sum + n.stateSize, 0),
    };
  }

  get id(): string {
    return this.core.selfId;
  }

  // ---- housekeeping ----

  private tick(): void {
    const core = this.core;
    if (core.stopped) return;
    this.ticks++;
    const now = core.now();
    if (core.startSeq !== undefined && !core.ended) {
      const next = core.chunks.get(core.nextSeq);
      if (next && !next.data && core.playback.checkStarved(next.meta.timestamp, now))
        core.emit({ type: 'stall', seq: core.nextSeq });
      this.evictOld();
      this.scheduler.schedule();
      this.output.tryOutput();
    }
    core.uploader.unstick(2000);
    core.uploader.pump();
    if (this.ticks % 10 === 0) this.links.maintainLinks();
    this.tickTimer = core.io.clock.setTimeout(() => this.tick(), core.opts.tickMs);
  }

  /** Bounded memory: drop chunks (and what neighbours said about them) behind the serving window. */
  private evictOld(): void {
    const core = this.core;
    const low = core.nextSeq - core.opts.keepBehindChunks;
    for (const [seq, c] of core.chunks) {
      if (seq >= low) continue;
      for (const o of c.origin.splice(0)) o.ctl.abort();
      for (const t of [...c.transfers]) core.calls.clearPeerFetch(c, t);
      core.chunks.delete(seq);
    }
    if (this.ticks % 10 === 0) for (const n of core.neighbours.values()) n.prune(low, core.windowHigh());
  }

  /** What the uploader may send of a chunk: what we hold, or the verified pieces of what is arriving. */
  private uploadSource(seq: number): UploadSource | undefined {
    const c = this.core.chunks.get(seq);
    if (!c) return undefined;
    const size = c.meta.size;
    if (c.data) {
      const unitBytes = c.pieces ? c.pieces.bytes : size;
      const units = c.pieces ? c.pieces.hashes.length : 1;
      return { bytes: c.data, size, unitBytes, units, ready: () => true, covered: () => true };
    }
    const asm = c.asm;
    if (!asm) return undefined;
    return {
      bytes: asm.buf,
      size,
      unitBytes: asm.unitBytes,
      units: asm.units,
      ready: (i) => asm.isVerified(i),
      covered: (i) => asm.isCovered(i) || c.verifying,
    };
  }
}
