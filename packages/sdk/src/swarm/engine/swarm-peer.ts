/**
 * One viewer in a 1vN swarm: turns origin announcements, neighbours and the origin into one ordered,
 * verified byte stream (init, then chunks from a keyframe chunk near the live edge).
 *
 * Start: the newest keyframe chunk at least `startLeadMs` old (pickStartChunk, the same rule as the origin's
 * start route); with a GOP longer than the lead, the newest keyframe, held until it is `startLeadMs` old.
 * With `prefetchStart()` called as the tracker join is sent, init + start chunk come in that one origin
 * request, in parallel with the join, so the first frame costs one origin round trip as an HTTP-FLV viewer's
 * does; the answer is verified against the join's hashes, else the engine picks and fetches itself.
 *
 * Scheduling, per chunk, earliest deadline first:
 * - the start chunk, and any chunk whose playback deadline is closer than `urgentMs`, comes from the origin
 *   (a slow neighbour transfer is dropped for it), so the output never waits on the mesh;
 * - otherwise it is requested from a neighbour that announced `have`, chosen by measured throughput;
 * - when no neighbour holds or fetches it, the peers ranked first for that chunk (seed-rank.ts; `chunkSeeds`,
 *   more for the large keyframe chunks) pull it from the origin at once, the next ranks after `seedRoundMs`
 *   steps if still nobody did and no `seeded` news (flooded once through the mesh) says a seed is at work;
 *   whoever gets a chunk announces `fetching` then `have`, so neighbours ask it instead of the origin;
 * - cut-through: when the origin lists piece hashes, each piece is verified as it arrives and may be
 *   forwarded at once, so a neighbour that announced `fetching` (its first piece passed) is a source too,
 *   and a chunk crosses the mesh in about one transfer plus a piece time per hop, not a transfer per hop;
 * - piece-level sourcing (assembly.ts): a chunk is put together per hashed piece, from several sources at
 *   once: runs of pieces from neighbours that hold or fetch only part of it (`fetching`/`request` with
 *   `from`/`to`), and from the origin by HTTP Range, which the urgent fallback uses for just the missing
 *   pieces. A large chunk (keyframe) is seeded in parts: each of its seeds pulls one part and they trade;
 * - the urgent lead adapts to this peer's measured origin fetches (round trip + size / rate);
 * - a peer that does not upload asks neighbours late (`leafRequestDelayMs`), and uploaders serve peers that
 *   upload first, so early copies go where they multiply.
 * Every chunk, from a peer or from the origin, is hashed and compared with the origin's announced SHA-256
 * (or piece by piece with its piece hashes) before it is output or served; a neighbour that sent a
 * mismatch is dropped and reported.
 */
import {
  chunkPieceRanges,
  decodePiece,
  pickStartChunk,
  START_LONG_GOP_SLACK_MS,
  type ChunkMeta,
  type InitMeta,
  type OriginEvent,
  type PeerMessage,
} from '@xp2p/protocol';
import { Assembly, type UnitSource } from './assembly.js';
import { SWARM_DEFAULTS, type SwarmOptions } from './defaults.js';
import { webCryptoSha256Hex } from './hash.js';
import { Neighbour } from './neighbour.js';
import { PlaybackModel } from './playback.js';
import { idHash, seedRank } from './seed-rank.js';
import type {
  HashFn,
  MeshLink,
  MeshTransport,
  OriginClient,
  OriginStart,
  SwarmClock,
  SwarmEvent,
  SwarmJoin,
  SwarmOutput,
  SwarmStats,
} from './types.js';
import { Uploader, type UploadSource } from './uploader.js';
import { encodePeerMessage, parsePeerMessage, toRanges } from './wire.js';

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

/** Our request to a neighbour for units [first, end) of a chunk. */
interface PeerTransfer extends UnitSource {
  readonly kind: 'peer';
  from: Neighbour;
  /** bytes the range holds */
  bytes: number;
  requestedAt: number;
  firstByteAt: number | undefined;
  lastProgressAt: number;
  received: number;
}

/** An origin fetch of units [first, end) of a chunk (HTTP Range unless the whole chunk). */
interface OriginPart extends UnitSource {
  readonly kind: 'origin';
  ctl: AbortController;
}

interface ChunkState {
  meta: ChunkMeta;
  /** the origin's piece hashes, when it sent a consistent list: verify and forward piece by piece */
  pieces?: { bytes: number; hashes: readonly string[] };
  announcedAt: number;
  /** the chunk put together piece by piece, from any sources (created when first needed) */
  asm?: Assembly;
  data?: Uint8Array;
  /** the whole-chunk hash is being computed */
  verifying: boolean;
  origin: OriginPart[];
  originRetryAt?: number;
  transfers: PeerTransfer[];
  /** some verified unit came from a neighbour */
  fromPeer: boolean;
  /** our place in the seeding order for this chunk (computed once) */
  seedRank?: number;
  /** when a neighbour first said it is fetching this chunk */
  incomingSince?: number;
  /** when we first heard (or made) the news that a peer seeds this chunk from the origin */
  seededSince?: number;
  /** what our `fetching` told neighbours: nothing yet, a run of pieces, the whole chunk */
  announced: 'none' | 'part' | 'whole';
}

interface InitState {
  meta: InitMeta;
  data?: Uint8Array;
  fetching: boolean;
  retryAt?: number;
}

/** The one-request start (init + start chunk) issued at join time: pending, being checked, or settled. */
interface StartFetch {
  ctl: AbortController;
  state: 'pending' | 'landed' | 'checking' | 'settled';
  result?: OriginStart;
  waitTimer?: unknown;
}

export class SwarmPeer {
  private readonly opts: SwarmOptions;
  private readonly hash: HashFn;
  private readonly random: () => number;
  private readonly playback = new PlaybackModel();
  private readonly chunks = new Map<number, ChunkState>();
  private readonly inits = new Map<number, InitState>();
  private readonly neighbours = new Map<string, Neighbour>();
  private readonly connecting = new Set<string>();
  /** peers we heard of (tracker, incoming links), with their id hash, for seeding ranks and links */
  private readonly known = new Map<string, number>();
  private readonly nonUploaders = new Set<string>();
  private readonly unreachableUntil = new Map<string, number>();
  private readonly banned = new Set<string>();
  private readonly uploader: Uploader;
  private readonly earlyLinks: MeshLink[] = [];
  private startFetch: StartFetch | undefined;

  private selfId = '';
  private selfHash = 0;
  private epoch = '';
  private joinedAt = 0;
  private startSeq: number | undefined;
  /** chunks up to this number came from the manifest with estimated announce times */
  private estimatedUpTo: number | undefined;
  private nextSeq = 0;
  private newestSeq = -1;
  private endSeq: number | undefined;
  private ended = false;
  private stopped = false;
  private outputInitId: number | undefined;
  private tickTimer: unknown;
  private holdTimer: unknown;
  /** how old the start chunk must be before it is handed out (set by startAt) */
  private startHoldMs = 0;
  private ticks = 0;
  private peerRequests = 0;
  private lastMorePeersAt = -Infinity;
  /** measured origin fetches: round trip (from the small init fetch) and bytes/ms of chunk fetches */
  private originRttMs: number | undefined;
  private originRate: number | undefined;
  private readonly counters = {
    p2pBytes: 0,
    cdnBytes: 0,
    controlBytes: 0,
    chunksOut: 0,
    lateChunks: 0,
    seedFetches: 0,
    urgentFetches: 0,
    badPeers: 0,
  };

  constructor(private readonly args: SwarmPeerArgs) {
    this.opts = Object.freeze({ ...SWARM_DEFAULTS, ...args.options });
    this.hash = args.hash ?? webCryptoSha256Hex;
    this.random = args.random ?? Math.random;
    this.uploader = new Uploader({
      enabled: args.upload,
      maxQueue: this.opts.maxUploadQueue,
      maxBacklogMs: this.opts.maxUploadBacklogMs,
      pieceBytes: this.opts.pieceBytes,
      tightSlackMs: this.opts.tightSlackMs,
      now: () => this.now(),
      source: (seq) => this.uploadSource(seq),
      isLinked: (n) => this.neighbours.get(n.id) === n,
      sendAbsent: (n, seq, range) => this.sendTo(n, { type: 'absent', seq, ...range }),
    });
    // a neighbour may reach us between the tracker's `joined` and our join() (manifest read): keep its link
    args.mesh.onIncoming = (link) => (this.selfId ? this.attach(link, false) : this.earlyLinks.push(link));
  }

  // ---- inputs from the caller (tracker events) ----

  join(j: SwarmJoin): void {
    this.selfId = j.peerId;
    this.selfHash = idHash(j.peerId);
    this.epoch = j.epoch;
    this.joinedAt = this.now();
    this.inits.set(j.init.initId, { meta: j.init, fetching: false });
    const recent = j.recentChunks ?? [];
    const newest = recent[recent.length - 1];
    if (newest) {
      // the manifest has no announce times: estimate each from how far its end is behind the newest chunk's
      const newestEnd = newest.timestamp + newest.duration;
      for (const meta of recent) this.addChunk(meta, this.joinedAt - (newestEnd - meta.timestamp - meta.duration));
      // ... as if the newest was announced just now; the first live announcement corrects that (originEvent)
      this.estimatedUpTo = newest.seq;
    }
    for (const link of this.earlyLinks.splice(0)) this.attach(link, false);
    this.addPeers(j.neighbours, j.noUpload);
    this.tickTimer = this.args.clock.setTimeout(() => this.tick(), this.opts.tickMs);
    const sf = this.startFetch;
    if (sf?.state === 'pending') {
      // issued with the tracker join, it usually lands soon after; a slow one is not waited for long
      sf.waitTimer = this.args.clock.setTimeout(() => {
        if (sf.state !== 'pending') return;
        sf.state = 'settled';
        sf.ctl.abort(new Error('start fetch too slow'));
        this.emit({ type: 'log', line: `start fetch: no answer ${this.opts.startFetchWaitMs} ms after join` });
        this.tryStart();
      }, this.opts.startFetchWaitMs);
    }
    this.useStartFetch();
    this.tryStart();
  }

  /**
   * Ask the origin for the init part and the start chunk in one request (OriginClient.fetchStart), now,
   * while the tracker join is under way: the first frame then costs one origin round trip, like a plain
   * HTTP-FLV viewer's. Call before join(); join() waits for the answer (at most `startFetchWaitMs`),
   * verifies it and starts there, or picks its own start as without it. No-op without fetchStart or with
   * `oneRequestStart` off.
   */
  prefetchStart(): void {
    const { origin } = this.args;
    if (!this.opts.oneRequestStart || !origin.fetchStart || this.startFetch || this.selfId || this.stopped) return;
    const sf: StartFetch = { ctl: new AbortController(), state: 'pending' };
    this.startFetch = sf;
    const issuedAt = this.now();
    origin.fetchStart(this.opts.startLeadMs, sf.ctl.signal).then(
      (r) => {
        const bytes = r.init.byteLength + r.chunk.byteLength;
        this.counters.cdnBytes += bytes;
        if (r.firstByteMs !== undefined) {
          this.recordOriginFetch(r.init.byteLength, r.firstByteMs, true);
          this.recordOriginFetch(bytes, this.now() - issuedAt, false);
        }
        if (sf.state !== 'pending' || this.stopped) return;
        sf.state = 'landed';
        sf.result = r;
        this.useStartFetch();
      },
      (err: unknown) => {
        if (sf.state !== 'pending' || this.stopped) return;
        sf.state = 'settled';
        this.args.clock.clearTimeout(sf.waitTimer);
        this.emit({ type: 'log', line: `start fetch failed: ${String(err)}; picking the start here` });
        this.tryStart();
      },
    );
  }

  /**
   * `noUpload`: those of `ids` the tracker says do not upload. They are left out of our seeding order at
   * once (not only after their `hello`), so our rank agrees with what the rest of the swarm computes.
   */
  addPeers(ids: readonly string[], noUpload?: readonly string[]): void {
    for (const id of ids) this.learn(id);
    for (const id of noUpload ?? []) if (this.known.has(id)) this.nonUploaders.add(id);
    this.maintainLinks();
  }

  peerLeft(id: string): void {
    this.known.delete(id);
    this.nonUploaders.delete(id);
    const n = this.neighbours.get(id);
    if (n) {
      n.link.close();
      this.detach(n, 'left the swarm');
    }
  }

  originEvent(ev: OriginEvent): void {
    if (this.stopped || ev.epoch !== this.epoch) return;
    switch (ev.type) {
      case 'chunk': {
        this.reanchor(ev.chunk);
        const c = this.addChunk(ev.chunk, this.now());
        this.tryStart();
        if (c) this.schedule();
        break;
      }
      case 'init':
        if (!this.inits.has(ev.init.initId)) this.inits.set(ev.init.initId, { meta: ev.init, fetching: false });
        break;
      case 'eof':
        this.endSeq = ev.lastSeq;
        this.tryOutput();
        break;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.args.clock.clearTimeout(this.tickTimer);
    this.args.clock.clearTimeout(this.holdTimer);
    if (this.startFetch) {
      this.args.clock.clearTimeout(this.startFetch.waitTimer);
      if (this.startFetch.state === 'pending') this.startFetch.ctl.abort();
    }
    for (const c of this.chunks.values()) for (const o of c.origin) o.ctl.abort();
    for (const n of [...this.neighbours.values()]) {
      n.link.close();
      this.detach(n, 'stopped');
    }
  }

  stats(): SwarmStats {
    const newest = this.chunks.get(this.newestSeq);
    const pos = this.playback.position(this.now());
    return {
      ...this.counters,
      uploadBytes: this.uploader.uploadBytes,
      peers: [...this.neighbours.values()].filter((n) => n.greeted).length,
      stalls: this.playback.stalls,
      stallMs: this.playback.stallMs,
      lagMs: newest && pos !== undefined ? Math.max(0, newest.meta.timestamp + newest.meta.duration - pos) : undefined,
      startSeq: this.startSeq,
      nextSeq: this.startSeq === undefined ? undefined : this.nextSeq,
    };
  }

  get id(): string {
    return this.selfId;
  }

  // ---- start, output ----

  private now(): number {
    return this.args.clock.now();
  }

  private emit(event: SwarmEvent): void {
    this.args.output.onEvent?.(event);
  }

  /**
   * The first live announcement after joining dates the manifest's chunks exactly: each was announced as
   * long before it as its end lies before this chunk's end. A hold on the first chunk is timed again.
   */
  private reanchor(live: ChunkMeta): void {
    if (this.estimatedUpTo === undefined || live.seq <= this.estimatedUpTo) return;
    const liveEnd = live.timestamp + live.duration;
    const now = this.now();
    for (const c of this.chunks.values())
      if (c.meta.seq <= this.estimatedUpTo)
        c.announcedAt = Math.min(c.announcedAt, now - (liveEnd - c.meta.timestamp - c.meta.duration));
    this.estimatedUpTo = undefined;
    if (this.holdTimer !== undefined) {
      this.args.clock.clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
      this.tryOutput();
    }
  }

  private addChunk(meta: ChunkMeta, announcedAt: number): ChunkState | undefined {
    if (this.chunks.has(meta.seq)) return undefined;
    if (this.startSeq !== undefined && meta.seq < this.nextSeq) return undefined;
    const c: ChunkState = {
      meta,
      announcedAt,
      verifying: false,
      origin: [],
      transfers: [],
      fromPeer: false,
      announced: 'none',
    };
    const { pieceBytes, pieces } = meta;
    if (pieceBytes && pieces && pieces.length === Math.ceil(meta.size / pieceBytes))
      c.pieces = { bytes: pieceBytes, hashes: pieces };
    this.chunks.set(meta.seq, c);
    if (meta.seq > this.newestSeq) this.newestSeq = meta.seq;
    for (const n of this.neighbours.values()) if (n.fetching.has(meta.seq)) c.incomingSince ??= this.now();
    return c;
  }

  /**
   * Pick the start (pickStartChunk, the origin's start route's rule too): the newest keyframe chunk at least
   * `startLeadMs` old, else the oldest keyframe known. Not while a start fetch may still bring one.
   */
  private tryStart(): void {
    if (this.startSeq !== undefined || this.stopped) return;
    if (this.startFetch && this.startFetch.state !== 'settled') return;
    const pick = pickStartChunk(this.chunks.values(), this.now(), this.opts.startLeadMs, (c) => ({
      seq: c.meta.seq,
      keyframe: c.meta.keyframe,
      announcedAt: c.announcedAt,
    }));
    if (!pick) return;
    this.startAt(pick);
    this.schedule();
  }

  private startAt(c: ChunkState): void {
    this.startSeq = this.nextSeq = c.meta.seq;
    this.playback.plan(c.meta.timestamp);
    this.startHoldMs = Math.max(this.opts.minStartLagMs, this.startsLongGop(c) ? this.opts.startLeadMs : 0);
    for (const seq of [...this.chunks.keys()]) if (seq < c.meta.seq) this.chunks.delete(seq);
  }

  /**
   * Whether the keyframe before `start` came more than the lead (+ slack) earlier: a long GOP, where the start
   * rule takes the newest keyframe, fresher than the lead (pickStartChunk). Such a start is held until it is
   * `startLeadMs` old, so later chunks still have that long to cross the mesh; the added delay stays within
   * the lead instead of a whole GOP.
   */
  private startsLongGop(start: ChunkState): boolean {
    let previous: ChunkState | undefined;
    for (const c of this.chunks.values()) {
      if (c.meta.keyframe && c.meta.seq < start.meta.seq && (!previous || c.meta.seq > previous.meta.seq)) previous = c;
    }
    return (
      previous !== undefined &&
      start.announcedAt - previous.announcedAt > this.opts.startLeadMs + START_LONG_GOP_SLACK_MS
    );
  }

  /**
   * The start fetch landed and we have joined: check it against what the tracker and the manifest say
   * (epoch, init hash, chunk hash and piece hashes) and start there; anything off and we pick our own
   * start as without it. Nothing unverified is output or served.
   */
  private useStartFetch(): void {
    const sf = this.startFetch;
    if (!sf || sf.state !== 'landed' || !sf.result || !this.selfId || this.stopped) return;
    sf.state = 'checking';
    this.args.clock.clearTimeout(sf.waitTimer);
    const r = sf.result;
    sf.result = undefined;
    this.checkStart(r).then(
      (problem) => {
        sf.state = 'settled';
        if (this.stopped || this.startSeq !== undefined) return;
        const c = this.chunks.get(r.seq);
        const init = this.inits.get(r.initId);
        if (problem || !c || !init || c.data) {
          this.emit({
            type: 'log',
            line: `start fetch not used (${problem ?? 'chunk changed'}): picking the start here`,
          });
          return this.tryStart();
        }
        init.data ??= r.init;
        this.emit({ type: 'log', line: `start at chunk ${c.meta.seq}: init + chunk from the one-request start fetch` });
        this.startAt(c);
        this.counters.urgentFetches++;
        this.emit({ type: 'origin-fetch', seq: c.meta.seq, why: 'urgent', ageMs: this.now() - c.announcedAt });
        this.accept(c, r.chunk);
        this.schedule();
      },
      (err: unknown) => {
        sf.state = 'settled';
        this.emit({ type: 'log', line: `start fetch check failed: ${String(err)}` });
        this.tryStart();
      },
    );
  }

  /** Why the start fetch's answer cannot be used, or undefined when it checks out. */
  private async checkStart(r: OriginStart): Promise<string | undefined> {
    if (r.epoch !== this.epoch) return `epoch ${r.epoch}, joined ${this.epoch}`;
    const c = this.chunks.get(r.seq);
    if (!c) return `unknown chunk ${r.seq}`;
    if (!c.meta.keyframe) return `chunk ${r.seq} is not a keyframe chunk`;
    const init = this.inits.get(r.initId);
    if (!init || c.meta.initId !== r.initId) return `init ${r.initId} does not go with chunk ${r.seq}`;
    if (r.init.byteLength !== init.meta.size || r.chunk.byteLength !== c.meta.size) return 'sizes do not match';
    if ((await this.hash(r.init)) !== init.meta.hash) return `init ${r.initId}: hash mismatch`;
    if ((await this.hash(r.chunk)) !== c.meta.hash) return `chunk ${r.seq}: hash mismatch`;
    // pieces are served to neighbours as they are: they must match the piece hashes they will check
    if (c.pieces) {
      const ranges = chunkPieceRanges(c.meta.size, c.pieces.bytes);
      const hashes = await Promise.all(ranges.map(([a, b]) => this.hash(r.chunk.subarray(a, b))));
      if (hashes.some((h, i) => h !== c.pieces!.hashes[i])) return `chunk ${r.seq}: piece hash mismatch`;
    }
    return undefined;
  }

  private tryOutput(): void {
    if (this.startSeq === undefined || this.ended) return;
    for (;;) {
      if (this.endSeq !== undefined && this.nextSeq > this.endSeq) {
        this.ended = true;
        this.emit({ type: 'end', lastSeq: this.endSeq });
        this.args.output.onEnd?.();
        return;
      }
      const c = this.chunks.get(this.nextSeq);
      if (!c) {
        // a number the origin skipped: jump to the next chunk we know of
        const later = [...this.chunks.keys()].filter((s) => s > this.nextSeq);
        if (later.length === 0) return;
        this.nextSeq = Math.min(...later);
        continue;
      }
      if (!c.data) return;
      const init = this.inits.get(c.meta.initId);
      if (!init) return;
      if (this.outputInitId !== c.meta.initId) {
        if (!init.data) {
          this.fetchInit(init);
          return;
        }
        this.outputInitId = c.meta.initId;
        this.args.output.onData(init.data, { kind: 'init' });
      }
      const now = this.now();
      let lateMs: number;
      if (!this.playback.started && now < c.announcedAt + this.startHoldMs) {
        // hold the first chunk until it is `startHoldMs` old: every later chunk gets that long to cross the mesh
        this.holdTimer ??= this.args.clock.setTimeout(
          () => {
            this.holdTimer = undefined;
            this.tryOutput();
          },
          c.announcedAt + this.startHoldMs - now,
        );
        return;
      }
      if (!this.playback.started) {
        this.playback.start(now, c.meta.timestamp);
        this.emit({ type: 'start', seq: c.meta.seq, startupMs: now - this.joinedAt });
      } else {
        lateMs = this.playback.delivered(c.meta.timestamp, now);
        if (lateMs > 0) this.counters.lateChunks++;
      }
      this.counters.chunksOut++;
      this.nextSeq++;
      this.args.output.onData(c.data, { kind: 'chunk', seq: c.meta.seq, meta: c.meta });
    }
  }

  private fetchInit(init: InitState): void {
    if (init.fetching || init.data || (init.retryAt !== undefined && this.now() < init.retryAt)) return;
    init.fetching = true;
    const startedAt = this.now();
    this.args.origin
      .fetchInit(init.meta)
      .then(async (bytes) => {
        this.counters.cdnBytes += bytes.byteLength;
        this.recordOriginFetch(bytes.byteLength, this.now() - startedAt, true);
        if ((await this.hash(bytes)) !== init.meta.hash) throw new Error(`init ${init.meta.initId}: hash mismatch`);
        init.data = bytes;
      })
      .catch((err: unknown) => {
        init.retryAt = this.now() + 500;
        this.emit({ type: 'log', line: `init fetch failed: ${String(err)}` });
      })
      .finally(() => {
        init.fetching = false;
        if (!this.stopped) this.tryOutput();
      });
  }

  // ---- scheduling ----

  private schedule(): void {
    if (this.startSeq === undefined || this.stopped) return;
    const firstInit = this.inits.get(this.chunks.get(this.startSeq)?.meta.initId ?? -1);
    if (firstInit && !firstInit.data) this.fetchInit(firstInit);
    const now = this.now();
    // before the first chunk is out: playback starts when the start chunk's hold ends (startHoldMs)
    const startChunk = this.chunks.get(this.startSeq);
    const holdEnd = startChunk ? startChunk.announcedAt + this.startHoldMs : now;
    const startIn = Math.max(this.opts.assumedStartupMs, holdEnd - now);
    for (let seq = this.nextSeq; seq <= this.newestSeq; seq++) {
      const c = this.chunks.get(seq);
      if (!c || c.data || c.verifying) continue;
      const asm = this.assembly(c);
      const deadline = this.playback.deadline(c.meta.timestamp, now, startIn);
      const first = seq === this.startSeq && !this.playback.started;
      if (first || deadline - now < this.urgentLeadMs(c.meta.size)) {
        for (const t of [...c.transfers])
          if (!this.willFinishInTime(t, deadline)) this.abandonPeerFetch(c, t, 'too slow for the deadline');
        // only the pieces nobody brings in time come from the origin (one Range fetch)
        const span = asm.freeSpan();
        if (span && (c.originRetryAt === undefined || now >= c.originRetryAt)) this.fetchFromOrigin(c, 'urgent', span);
        continue;
      }
      for (const t of [...c.transfers]) {
        if (t.firstByteAt === undefined && now - t.requestedAt > this.opts.firstByteTimeoutMs)
          this.abandonPeerFetch(c, t, 'no answer');
        else if (now - t.lastProgressAt > this.opts.requestStallMs) this.abandonPeerFetch(c, t, 'stalled');
      }
      if (asm.freeCount() === 0) continue;
      // a peer that does not upload is a leaf: it asks late, when the chunk has spread, so the first copies
      // go to peers that pass them on
      if (
        !this.args.upload &&
        now < c.announcedAt + this.opts.leafRequestDelayMs &&
        deadline - now > this.urgentLeadMs(c.meta.size) + 1000
      )
        continue;
      // the missing pieces, split among neighbours that hold or fetch them (a run per neighbour)
      while (this.peerRequests < this.opts.maxPeerRequests) {
        const pick = this.pickSource(c, asm, now);
        if (!pick) break;
        this.requestFrom(c, asm, pick.n, pick.run, deadline - now);
      }
      const unoffered = this.unoffered(c, asm);
      if (unoffered) this.considerSeeding(c, asm, unoffered, now);
    }
  }

  private assembly(c: ChunkState): Assembly {
    c.asm ??= new Assembly(c.meta, c.pieces?.hashes, c.pieces?.bytes);
    return c.asm;
  }

  /**
   * How long before its deadline a chunk must be asked of the origin: what a fetch of this size took here
   * (round trip + size at the measured rate), with room to spare, between `minUrgentMs` and `urgentMs`
   * (the latter until measured). A peer with a fast origin path leaves the mesh more time.
   */
  private urgentLeadMs(size: number): number {
    if (this.originRttMs === undefined || this.originRate === undefined) return this.opts.urgentMs;
    const est = this.opts.urgentSafety * (this.originRttMs + size / this.originRate) + this.opts.urgentMarginMs;
    return Math.min(this.opts.urgentMs, Math.max(this.opts.minUrgentMs, est));
  }

  private recordOriginFetch(bytes: number, ms: number, isInit: boolean): void {
    if (isInit || this.originRttMs === undefined) {
      // the init part is small: its fetch time is about the round trip
      this.originRttMs = this.originRttMs === undefined ? ms : Math.max(0.7 * this.originRttMs + 0.3 * ms, 1);
      if (isInit) return;
    }
    const sample = bytes / Math.max(1, ms - this.originRttMs);
    this.originRate = this.originRate === undefined ? sample : 0.7 * this.originRate + 0.3 * sample;
  }

  private willFinishInTime(t: PeerTransfer, deadline: number): boolean {
    const now = this.now();
    const rate =
      t.firstByteAt !== undefined && now > t.firstByteAt ? t.received / (now - t.firstByteAt) : t.from.throughput;
    if (!rate) return false;
    return now + (t.bytes - t.received) / rate < deadline - 100;
  }

  /**
   * A neighbour that holds or fetches free pieces of the chunk and has room for our request, with the first
   * run of free pieces it offers; faster ones, and those offering more of what we miss, more likely.
   */
  private pickSource(c: ChunkState, asm: Assembly, now: number): { n: Neighbour; run: [number, number] } | undefined {
    let best: { n: Neighbour; run: [number, number] } | undefined;
    let bestScore = -1;
    let known = 0;
    let sum = 0;
    for (const n of this.neighbours.values()) {
      if (n.throughput === undefined) continue;
      known++;
      sum += n.throughput;
    }
    const assumed = known > 0 ? sum / known : 1;
    const cutThrough = c.pieces !== undefined;
    const free = asm.freeCount();
    const seq = c.meta.seq;
    for (const n of this.neighbours.values()) {
      if (!n.greeted || !n.uploads) continue;
      if (n.requested.size >= this.opts.maxRequestsPerNeighbour) continue;
      // with piece hashes, a neighbour that is still downloading the chunk forwards it as it verifies
      const offer = n.offers(seq, asm.units, cutThrough);
      if (!offer) continue;
      const backoff = n.backoffUntil.get(seq);
      if (backoff !== undefined && now < backoff) continue;
      const run = asm.firstFreeRun(offer.from, offer.to);
      if (!run) continue;
      const score =
        (n.throughput ?? assumed) *
        (offer.full ? 1 : this.opts.partialSourceWeight) *
        ((run[1] - run[0]) / free) *
        (0.75 + 0.5 * this.random());
      if (score > bestScore) {
        best = { n, run };
        bestScore = score;
      }
    }
    return best;
  }

  /** The span of free pieces that no uploading neighbour holds or fetches (undefined: all are offered). */
  private unoffered(c: ChunkState, asm: Assembly): [number, number] | undefined {
    const cutThrough = c.pieces !== undefined;
    const offered = new Uint8Array(asm.units);
    for (const n of this.neighbours.values()) {
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

  /** What the uploader may send of a chunk: what we hold, or the verified pieces of what is arriving. */
  private uploadSource(seq: number): UploadSource | undefined {
    const c = this.chunks.get(seq);
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

  /**
   * Nobody around holds or fetches pieces [lo, hi) of it: pull them from the origin if it is our turn (see
   * seed-rank.ts). A large chunk (over `splitSeedFactor` × the average) is seeded in parts: seed r of n
   * fetches only the r-th of n runs of pieces (HTTP Range) and the seeds trade the rest, so the swarm pulls
   * it about once from the origin yet it starts from n places.
   */
  private considerSeeding(c: ChunkState, asm: Assembly, [lo, hi]: [number, number], now: number): void {
    if (!this.args.upload || !this.playback.started) return;
    if (c.originRetryAt !== undefined && now < c.originRetryAt) return;
    if (c.incomingSince !== undefined && now - c.incomingSince < this.opts.incomingTimeoutMs) return;
    c.seedRank ??= seedRank(this.selfHash, this.uploaderHashes(), c.meta.seq);
    // a chunk from before we joined was seeded then; while our links are still opening we cannot see
    // who holds it, so count its rounds from when they should be up
    const since = c.announcedAt < this.joinedAt ? this.joinedAt + this.opts.joinGraceMs : c.announcedAt;
    if (now < since) return;
    const round = Math.floor((now - since) / this.opts.seedRoundMs);
    // later rounds stand in for seeds that failed or left: not while the news says a seed is at work
    if (round > 0 && c.seededSince !== undefined && now - c.seededSince < this.opts.incomingTimeoutMs) return;
    // keyframe chunks are the large ones (I-frame): they cross the mesh slowest, so they start from more seeds
    // ... but never a large share of a small swarm, where the mesh is shallow anyway
    const wanted = c.meta.keyframe ? this.opts.keyframeSeeds : this.opts.chunkSeeds;
    const cap = Math.max(1, Math.ceil((this.known.size + 1 - this.nonUploaders.size) * this.opts.maxSeedShare));
    const seeds = Math.min(wanted, cap);
    if (c.seedRank > round + seeds - 1) return;
    if (round === 0 && seeds > 1 && asm.units >= seeds && this.isLargeChunk(c)) {
      const r = c.seedRank;
      const part = asm.firstFreeRun(Math.floor((r * asm.units) / seeds), Math.floor(((r + 1) * asm.units) / seeds));
      if (part) this.fetchFromOrigin(c, 'seed', part);
      return;
    }
    this.fetchFromOrigin(c, 'seed', asm.firstFreeRun(lo, hi) ?? [lo, hi]);
  }

  private isLargeChunk(c: ChunkState): boolean {
    if (!(this.opts.splitSeedFactor > 0)) return false;
    let sum = 0;
    let n = 0;
    for (const other of this.chunks.values()) {
      sum += other.meta.size;
      n++;
    }
    return n > 0 && c.meta.size > (this.opts.splitSeedFactor * sum) / n;
  }

  private *uploaderHashes(): Iterable<number> {
    for (const [id, h] of this.known) if (!this.nonUploaders.has(id)) yield h;
  }

  /** Units [first, end) from the origin: one HTTP Range fetch (a plain GET for the whole chunk). */
  private fetchFromOrigin(c: ChunkState, why: 'seed' | 'urgent', [first, end]: [number, number]): void {
    const asm = this.assembly(c);
    const part: OriginPart = { kind: 'origin', first, end, ctl: new AbortController() };
    asm.assign(part);
    c.origin.push(part);
    if (why === 'seed') {
      this.counters.seedFetches++;
      this.spreadSeeded(c, undefined);
    } else this.counters.urgentFetches++;
    this.emit({ type: 'origin-fetch', seq: c.meta.seq, why, ageMs: this.now() - c.announcedAt });
    this.announceFetching(c);
    const startedAt = this.now();
    const a = asm.unitStart(first);
    const b = asm.unitEnd(end - 1);
    const range: [number, number] | undefined = a === 0 && b === c.meta.size ? undefined : [a, b];
    const done = () => {
      const i = c.origin.indexOf(part);
      if (i < 0) return false;
      c.origin.splice(i, 1);
      return true;
    };
    this.args.origin.fetchChunk(c.meta, part.ctl.signal, range).then(
      (bytes) => {
        if (!done()) return;
        this.counters.cdnBytes += bytes.byteLength;
        this.recordOriginFetch(bytes.byteLength, this.now() - startedAt, false);
        if (bytes.byteLength !== b - a || this.chunks.get(c.meta.seq) !== c || c.asm !== asm) {
          asm.release(part);
          c.originRetryAt = this.now() + 200;
          this.emit({ type: 'log', line: `origin chunk ${c.meta.seq}: ${bytes.byteLength} bytes, expected ${b - a}` });
          return;
        }
        for (let u = first; u < end; u++) {
          const at = asm.unitStart(u);
          const unit = asm.write(part, at, bytes.subarray(at - a, asm.unitEnd(u) - a));
          if (unit !== undefined && unit >= 0) this.checkUnit(c, asm, unit, part);
        }
        asm.release(part);
      },
      (err: unknown) => {
        if (!done()) return;
        asm.release(part);
        c.originRetryAt = this.now() + 200;
        this.emit({ type: 'log', line: `origin chunk ${c.meta.seq}: ${String(err)}` });
      },
    );
  }

  private requestFrom(
    c: ChunkState,
    asm: Assembly,
    n: Neighbour,
    [first, end]: [number, number],
    slackMs: number,
  ): void {
    const now = this.now();
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
    this.peerRequests++;
    const range = first === 0 && end === asm.units ? {} : { from: first, to: end };
    const slack = Math.max(0, Math.min(600_000, Math.round(slackMs)));
    this.sendTo(n, { type: 'request', seq: c.meta.seq, ...range, slackMs: slack });
    // with piece hashes, `fetching` tells neighbours they may ask us: say it once bytes flow (first piece verified)
    if (!c.pieces) this.announceFetching(c);
  }

  private clearPeerFetch(c: ChunkState, t: PeerTransfer): void {
    const i = c.transfers.indexOf(t);
    if (i < 0) return;
    c.transfers.splice(i, 1);
    c.asm?.release(t);
    t.from.requested.delete(c.meta.seq);
    this.peerRequests--;
  }

  private abandonPeerFetch(c: ChunkState, t: PeerTransfer, why: string): void {
    if (!c.transfers.includes(t)) return;
    this.clearPeerFetch(c, t);
    const now = this.now();
    this.sendTo(t.from, { type: 'cancel', seq: c.meta.seq });
    t.from.backoffUntil.set(c.meta.seq, now + this.opts.absentBackoffMs);
    // what it managed so far is an upper bound of its speed: slow neighbours sink in the choice
    t.from.recordTransfer(Math.max(t.received, 1), now - t.requestedAt, this.opts.throughputEwma);
    this.emit({ type: 'log', line: `chunk ${c.meta.seq} from ${t.from.id}: ${why}` });
  }

  /**
   * Tell neighbours we will have this chunk soon, so they wait for our `have` instead of pulling it from
   * the origin too. Relayed by everyone who is getting it, so the news crosses the mesh in a few message
   * latencies, much faster than the chunk itself.
   */
  private announceFetching(c: ChunkState): void {
    if (!this.args.upload || c.announced === 'whole' || !c.asm) return;
    const run = c.asm.coveredRun();
    if (!run || (run !== 'whole' && c.announced === 'part')) return;
    // a run of pieces first (a seed of one part), the whole chunk once we are getting all of it
    c.announced = run === 'whole' ? 'whole' : 'part';
    const msg: PeerMessage =
      run === 'whole' ? { type: 'fetching', seq: c.meta.seq } : { type: 'fetching', seq: c.meta.seq, ...run };
    for (const n of this.neighbours.values()) {
      if (n.greeted && n.uploads && !n.has.has(c.meta.seq) && !n.fetching.has(c.meta.seq)) this.sendTo(n, msg);
    }
  }

  /** Pass on (once) the news that this chunk is being seeded, to every neighbour but the one it came from. */
  private spreadSeeded(c: ChunkState, from: Neighbour | undefined): void {
    if (c.seededSince !== undefined) return;
    c.seededSince = this.now();
    if (!this.args.upload) return;
    for (const n of this.neighbours.values())
      if (n !== from && n.greeted && n.uploads && !n.has.has(c.meta.seq))
        this.sendTo(n, { type: 'seeded', seq: c.meta.seq });
  }

  /**
   * A unit is complete in place: hash it against the origin's piece hash (or the chunk's hash when there are
   * no piece hashes) before it is served or used. A mismatch from a neighbour is that neighbour's fault alone
   * (it only forwards verified pieces): it is dropped and reported, and the unit is free for another source.
   */
  private checkUnit(c: ChunkState, asm: Assembly, unit: number, src: PeerTransfer | OriginPart): void {
    const bytes = asm.buf.subarray(asm.unitStart(unit), asm.unitEnd(unit));
    this.hash(bytes).then(
      (hex) => {
        if (this.stopped || this.chunks.get(c.meta.seq) !== c || c.asm !== asm || c.data) return;
        const ok = hex === asm.unitHash(unit);
        asm.settle(unit, ok);
        if (!ok) {
          if (src.kind === 'peer')
            this.reportBadPeer(
              src.from,
              c.meta.seq,
              asm.units > 1 || c.pieces ? 'piece hash mismatch' : 'chunk hash mismatch',
            );
          else {
            c.originRetryAt = this.now() + 500;
            this.emit({ type: 'log', line: `origin chunk ${c.meta.seq}: hash mismatch` });
          }
          this.schedule();
          return;
        }
        if (src.kind === 'peer') {
          this.counters.p2pBytes += bytes.byteLength;
          c.fromPeer = true;
          if (asm.pendingOf(src) === 0 && c.transfers.includes(src)) {
            this.clearPeerFetch(c, src);
            src.from.recordTransfer(src.bytes, this.now() - src.requestedAt, this.opts.throughputEwma);
            if (src.first === 0 && src.end === asm.units) src.from.has.add(c.meta.seq);
          }
        }
        if (asm.complete) return this.finish(c, asm);
        this.announceFetching(c);
        this.uploader.pump();
        if (src.kind === 'peer' && !c.transfers.includes(src)) this.schedule();
      },
      (err: unknown) => {
        asm.settle(unit, false);
        this.emit({ type: 'log', line: `hash failed: ${String(err)}` });
      },
    );
  }

  /** Every unit passed: with piece hashes, the whole chunk is checked against its SHA-256 too. */
  private finish(c: ChunkState, asm: Assembly): void {
    if (!c.pieces) {
      this.accept(c, asm.buf);
      this.schedule();
      return;
    }
    c.verifying = true;
    this.hash(asm.buf).then(
      (hex) => {
        c.verifying = false;
        if (this.stopped || this.chunks.get(c.meta.seq) !== c || c.data) return;
        if (hex === c.meta.hash) this.accept(c, asm.buf);
        else {
          // pieces that match a chunk that does not: the origin's announcement is inconsistent; start over
          c.asm = undefined;
          c.originRetryAt = this.now() + 500;
          this.emit({ type: 'log', line: `chunk ${c.meta.seq}: pieces match, chunk hash does not` });
        }
        this.schedule();
      },
      (err: unknown) => {
        c.verifying = false;
        this.emit({ type: 'log', line: `hash failed: ${String(err)}` });
      },
    );
  }

  private accept(c: ChunkState, bytes: Uint8Array): void {
    c.data = bytes;
    this.uploader.pump();
    this.emit({
      type: 'verified',
      seq: c.meta.seq,
      source: c.fromPeer ? 'peer' : 'origin',
      ageMs: this.now() - c.announcedAt,
    });
    for (const t of [...c.transfers]) this.abandonPeerFetch(c, t, 'got it elsewhere');
    for (const o of c.origin.splice(0)) o.ctl.abort();
    // a peer that does not upload announces nothing: nobody may ask it for chunks
    if (this.args.upload) {
      for (const n of this.neighbours.values()) {
        if (n.greeted && !n.has.has(c.meta.seq)) this.sendTo(n, { type: 'have', seq: c.meta.seq });
      }
    }
    this.tryOutput();
  }

  private reportBadPeer(n: Neighbour, seq: number, reason: string): void {
    this.counters.badPeers++;
    this.banned.add(n.id);
    this.known.delete(n.id);
    this.nonUploaders.delete(n.id);
    this.emit({ type: 'bad-peer', peerId: n.id, seq, reason });
    n.link.close();
    this.detach(n, `bad peer: ${reason}`);
  }

  // ---- housekeeping ----

  private tick(): void {
    if (this.stopped) return;
    this.ticks++;
    const now = this.now();
    if (this.startSeq !== undefined && !this.ended) {
      const next = this.chunks.get(this.nextSeq);
      if (next && !next.data && this.playback.checkStarved(next.meta.timestamp, now))
        this.emit({ type: 'stall', seq: this.nextSeq });
      this.evictOld();
      this.schedule();
      this.tryOutput();
    }
    this.uploader.unstick(2000);
    this.uploader.pump();
    if (this.ticks % 10 === 0) this.maintainLinks();
    this.tickTimer = this.args.clock.setTimeout(() => this.tick(), this.opts.tickMs);
  }

  /** Bounded memory: drop chunks (and what neighbours said about them) behind the serving window. */
  private evictOld(): void {
    const low = this.nextSeq - this.opts.keepBehindChunks;
    for (const [seq, c] of this.chunks) {
      if (seq >= low) continue;
      for (const o of c.origin.splice(0)) o.ctl.abort();
      for (const t of [...c.transfers]) this.clearPeerFetch(c, t);
      this.chunks.delete(seq);
    }
    if (this.ticks % 10 === 0) for (const n of this.neighbours.values()) n.prune(low);
  }

  // ---- links ----

  private learn(id: string): void {
    if (id === this.selfId || this.banned.has(id) || this.known.has(id)) return;
    this.known.set(id, idHash(id));
  }

  private maintainLinks(): void {
    if (this.stopped || !this.selfId) return;
    const now = this.now();
    let slots = this.opts.targetLinks - this.neighbours.size - this.connecting.size;
    for (const id of this.known.keys()) {
      if (slots <= 0) break;
      if (this.neighbours.has(id) || this.connecting.has(id)) continue;
      if ((this.unreachableUntil.get(id) ?? 0) > now) continue;
      slots--;
      this.connectTo(id);
    }
    if (
      this.neighbours.size + this.connecting.size < this.opts.minLinks &&
      now - this.lastMorePeersAt >= this.opts.morePeersIntervalMs
    ) {
      this.lastMorePeersAt = now;
      this.emit({ type: 'more-peers' });
    }
  }

  private connectTo(id: string): void {
    this.connecting.add(id);
    this.args.mesh.connect(id).then(
      (link) => {
        this.connecting.delete(id);
        this.attach(link, true);
      },
      () => {
        this.connecting.delete(id);
        this.unreachableUntil.set(id, this.now() + this.opts.reconnectAfterMs);
      },
    );
  }

  private attach(link: MeshLink, outgoing: boolean): void {
    const id = link.peerId;
    if (this.stopped || this.banned.has(id) || id === this.selfId) return link.close();
    const existing = this.neighbours.get(id);
    if (existing) {
      // both sides opened a link at once: keep the one opened by the smaller id, on both sides alike
      const initiator = (n: { outgoing: boolean }) => (n.outgoing ? this.selfId : id);
      if (initiator({ outgoing }) < initiator(existing)) {
        existing.link.close();
        this.detach(existing, 'duplicate link');
      } else return link.close();
    } else if (!outgoing && this.neighbours.size >= this.opts.maxLinks) return link.close();
    this.learn(id);
    const n = new Neighbour(link, outgoing);
    this.neighbours.set(id, n);
    link.onMessage = (data) => this.onMessage(n, data);
    link.onClose = () => this.detach(n, 'link closed');
    link.onBufferedLow = () => this.uploader.drained(n);
    const held = this.args.upload ? [...this.chunks.values()].filter((c) => c.data).map((c) => c.meta.seq) : [];
    this.sendTo(n, { type: 'hello', v: 1, have: toRanges(held), upload: this.args.upload });
    this.emit({ type: 'peer-join', peerId: id });
  }

  private detach(n: Neighbour, reason: string): void {
    if (this.neighbours.get(n.id) !== n) return;
    this.neighbours.delete(n.id);
    for (const seq of [...n.requested]) {
      const c = this.chunks.get(seq);
      for (const t of c?.transfers.filter((x) => x.from === n) ?? []) this.clearPeerFetch(c!, t);
    }
    this.uploader.forget(n);
    this.emit({ type: 'peer-leave', peerId: n.id, reason });
    if (!this.stopped) {
      this.maintainLinks();
      this.schedule();
    }
  }

  private sendTo(n: Neighbour, msg: PeerMessage): void {
    if (this.neighbours.get(n.id) !== n) return;
    const text = encodePeerMessage(msg);
    this.counters.controlBytes += text.length;
    n.link.send(text);
  }

  private onMessage(n: Neighbour, data: string | Uint8Array): void {
    if (this.neighbours.get(n.id) !== n) return;
    if (typeof data !== 'string') return this.onPiece(n, data);
    const msg = parsePeerMessage(data, this.opts.maxControlMessageBytes);
    if (!msg) return this.emit({ type: 'log', line: `ignored a malformed message from ${n.id}` });
    const windowLow = this.startSeq === undefined ? 0 : this.nextSeq - this.opts.keepBehindChunks;
    switch (msg.type) {
      case 'hello': {
        n.greeted = true;
        n.uploads = msg.upload;
        if (!msg.upload) this.nonUploaders.add(n.id);
        else this.nonUploaders.delete(n.id);
        for (const [lo, hi] of msg.have) {
          // clamp, so a hostile range cannot make us loop over billions of numbers
          for (let s = Math.max(lo, windowLow); s <= Math.min(hi, lo + 1000); s++) n.has.add(s);
        }
        this.schedule();
        break;
      }
      case 'have': {
        if (msg.seq < windowLow) break;
        const part = pieceRun(msg);
        if (part === 'bad') break;
        if (part) n.parts.set(msg.seq, part);
        else {
          n.has.add(msg.seq);
          n.fetching.delete(msg.seq);
          n.parts.delete(msg.seq);
        }
        if (this.chunks.get(msg.seq)?.data === undefined) this.schedule();
        break;
      }
      case 'fetching': {
        if (msg.seq < windowLow) break;
        const part = pieceRun(msg);
        if (part === 'bad') break;
        if (part) {
          if (!n.fetching.has(msg.seq)) n.parts.set(msg.seq, part);
        } else {
          n.fetching.add(msg.seq);
          n.parts.delete(msg.seq);
        }
        const c = this.chunks.get(msg.seq);
        if (c && !c.data) {
          // a seed of one part holds back only the seeding of that part (see unoffered)
          if (!part) c.incomingSince ??= this.now();
          if (c.pieces && (!c.asm || c.asm.freeCount() > 0)) this.schedule();
        }
        break;
      }
      case 'seeded': {
        const c = msg.seq >= windowLow ? this.chunks.get(msg.seq) : undefined;
        if (c && !c.data) this.spreadSeeded(c, n);
        break;
      }
      case 'request': {
        const part = pieceRun(msg);
        if (part === 'bad') this.sendTo(n, { type: 'absent', seq: msg.seq });
        else this.uploader.request(n, msg.seq, msg.slackMs, part);
        break;
      }
      case 'cancel':
        this.uploader.cancel(n, msg.seq);
        break;
      case 'absent': {
        n.has.delete(msg.seq);
        n.fetching.delete(msg.seq);
        n.parts.delete(msg.seq);
        n.backoffUntil.set(msg.seq, this.now() + this.opts.absentBackoffMs);
        const c = this.chunks.get(msg.seq);
        for (const t of c?.transfers.filter((x) => x.from === n) ?? []) this.clearPeerFetch(c!, t);
        this.schedule();
        break;
      }
    }
  }

  private onPiece(n: Neighbour, frame: Uint8Array): void {
    const piece = decodePiece(frame);
    if (!piece) return this.emit({ type: 'log', line: `ignored a malformed piece from ${n.id}` });
    const c = this.chunks.get(piece.seq);
    // pieces of a chunk we cancelled, or never asked this neighbour for, are dropped
    const t = c?.transfers.find((x) => x.from === n);
    if (!c || !t || !c.asm) return;
    if (piece.offset + piece.payload.byteLength > c.meta.size)
      return this.reportBadPeer(n, piece.seq, 'piece out of bounds');
    // taken only where it continues a unit this request is filling; the stale tail of a send we gave up
    // on (or a unit another source fills now) is dropped
    const unit = c.asm.write(t, piece.offset, piece.payload);
    if (unit === undefined) return;
    const now = this.now();
    t.received += piece.payload.byteLength;
    t.firstByteAt ??= now;
    t.lastProgressAt = now;
    if (unit >= 0) this.checkUnit(c, c.asm, unit, t);
  }
}

/** The run of pieces a message names: undefined for the whole chunk, 'bad' when it makes no sense. */
function pieceRun(msg: { from?: number; to?: number }): { from: number; to: number } | undefined | 'bad' {
  if (msg.from === undefined && msg.to === undefined) return undefined;
  if (msg.from === undefined || msg.to === undefined || msg.from >= msg.to) return 'bad';
  return { from: msg.from, to: msg.to };
}
