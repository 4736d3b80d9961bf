/**
 * One viewer in a 1vN swarm: turns origin announcements, neighbours and the origin into one ordered,
 * verified byte stream (init, then chunks from a keyframe chunk near the live edge).
 *
 * Scheduling, per chunk, earliest deadline first:
 * - the start chunk, and any chunk whose playback deadline is closer than `urgentMs`, comes from the origin
 *   (a slow neighbour transfer is dropped for it), so the output never waits on the mesh;
 * - otherwise it is requested from a neighbour that announced `have`, chosen by measured throughput;
 * - when no neighbour holds or fetches it, the peers ranked first for that chunk (seed-rank.ts; `chunkSeeds`,
 *   more for the large keyframe chunks) pull it from the origin at once, the next ranks after `seedRoundMs`
 *   steps if still nobody did; whoever gets a chunk announces `fetching` (relayed) then `have`, so
 *   neighbours wait for the mesh instead of fetching it again;
 * - a peer that does not upload asks neighbours late (`leafRequestDelayMs`), and uploaders serve peers that
 *   upload first, so early copies go where they multiply.
 * Every chunk, from a peer or from the origin, is hashed and compared with the origin's announced SHA-256
 * before it is output or served; a neighbour that sent a mismatch is dropped and reported.
 */
import { decodePiece, type ChunkMeta, type InitMeta, type OriginEvent, type PeerMessage } from '@xp2p/protocol';
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
  SwarmClock,
  SwarmEvent,
  SwarmJoin,
  SwarmOutput,
  SwarmStats,
} from './types.js';
import { Uploader } from './uploader.js';
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

interface PeerTransfer {
  from: Neighbour;
  requestedAt: number;
  firstByteAt: number | undefined;
  lastProgressAt: number;
  buf: Uint8Array;
  received: number;
}

interface ChunkState {
  meta: ChunkMeta;
  announcedAt: number;
  data?: Uint8Array;
  verifying: boolean;
  originFetch?: AbortController;
  originRetryAt?: number;
  peerFetch?: PeerTransfer;
  /** our place in the seeding order for this chunk (computed once) */
  seedRank?: number;
  /** when a neighbour first said it is fetching this chunk */
  incomingSince?: number;
  announcedFetching: boolean;
}

interface InitState {
  meta: InitMeta;
  data?: Uint8Array;
  fetching: boolean;
  retryAt?: number;
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

  private selfId = '';
  private selfHash = 0;
  private epoch = '';
  private joinedAt = 0;
  private startSeq: number | undefined;
  private nextSeq = 0;
  private newestSeq = -1;
  private endSeq: number | undefined;
  private ended = false;
  private stopped = false;
  private outputInitId: number | undefined;
  private tickTimer: unknown;
  private holdTimer: unknown;
  private ticks = 0;
  private peerRequests = 0;
  private lastMorePeersAt = -Infinity;
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
      now: () => this.now(),
      chunkBytes: (seq) => this.chunks.get(seq)?.data,
      isLinked: (n) => this.neighbours.get(n.id) === n,
      sendAbsent: (n, seq) => this.sendTo(n, { type: 'absent', seq }),
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
    }
    for (const link of this.earlyLinks.splice(0)) this.attach(link, false);
    this.addPeers(j.neighbours);
    this.tickTimer = this.args.clock.setTimeout(() => this.tick(), this.opts.tickMs);
    this.tryStart();
  }

  addPeers(ids: readonly string[]): void {
    for (const id of ids) this.learn(id);
    this.maintainLinks();
  }

  peerLeft(id: string): void {
    this.known.delete(id);
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
    for (const c of this.chunks.values()) c.originFetch?.abort();
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

  private addChunk(meta: ChunkMeta, announcedAt: number): ChunkState | undefined {
    if (this.chunks.has(meta.seq)) return undefined;
    if (this.startSeq !== undefined && meta.seq < this.nextSeq) return undefined;
    const c: ChunkState = { meta, announcedAt, verifying: false, announcedFetching: false };
    this.chunks.set(meta.seq, c);
    if (meta.seq > this.newestSeq) this.newestSeq = meta.seq;
    for (const n of this.neighbours.values()) if (n.fetching.has(meta.seq)) c.incomingSince ??= this.now();
    return c;
  }

  /** Pick the start: the newest keyframe chunk at least `startLeadMs` old, else the oldest keyframe known. */
  private tryStart(): void {
    if (this.startSeq !== undefined || this.stopped) return;
    const now = this.now();
    let pick: ChunkState | undefined;
    let oldest: ChunkState | undefined;
    for (const c of this.chunks.values()) {
      if (!c.meta.keyframe) continue;
      if (!oldest || c.meta.seq < oldest.meta.seq) oldest = c;
      if (now - c.announcedAt >= this.opts.startLeadMs && (!pick || c.meta.seq > pick.meta.seq)) pick = c;
    }
    pick ??= oldest;
    if (!pick) return;
    this.startSeq = this.nextSeq = pick.meta.seq;
    this.playback.plan(pick.meta.timestamp);
    for (const seq of [...this.chunks.keys()]) if (seq < pick.meta.seq) this.chunks.delete(seq);
    this.schedule();
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
      if (!this.playback.started && now < c.announcedAt + this.opts.minStartLagMs) {
        // hold the first chunk until it is `minStartLagMs` old: every later chunk gets that long to cross the mesh
        this.holdTimer ??= this.args.clock.setTimeout(
          () => {
            this.holdTimer = undefined;
            this.tryOutput();
          },
          c.announcedAt + this.opts.minStartLagMs - now,
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
    this.args.origin
      .fetchInit(init.meta)
      .then(async (bytes) => {
        this.counters.cdnBytes += bytes.byteLength;
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
    for (let seq = this.nextSeq; seq <= this.newestSeq; seq++) {
      const c = this.chunks.get(seq);
      if (!c || c.data || c.verifying || c.originFetch) continue;
      const deadline = this.playback.deadline(c.meta.timestamp, now, this.opts.assumedStartupMs);
      const first = seq === this.startSeq && !this.playback.started;
      if (first || deadline - now < this.opts.urgentMs) {
        if (c.peerFetch && this.willFinishInTime(c.peerFetch, c.meta.size, deadline)) continue;
        if (c.peerFetch) this.abandonPeerFetch(c, 'too slow for the deadline');
        if (c.originRetryAt === undefined || now >= c.originRetryAt) this.fetchFromOrigin(c, 'urgent');
        continue;
      }
      if (c.peerFetch) {
        const t = c.peerFetch;
        if (t.firstByteAt === undefined && now - t.requestedAt > this.opts.firstByteTimeoutMs)
          this.abandonPeerFetch(c, 'no answer');
        else if (now - t.lastProgressAt > this.opts.requestStallMs) this.abandonPeerFetch(c, 'stalled');
        else continue;
      }
      // a peer that does not upload is a leaf: it asks late, when the chunk has spread, so the first copies
      // go to peers that pass them on
      if (
        !this.args.upload &&
        now < c.announcedAt + this.opts.leafRequestDelayMs &&
        deadline - now > this.opts.urgentMs + 1000
      )
        continue;
      const from = this.peerRequests < this.opts.maxPeerRequests ? this.pickSource(seq, now) : undefined;
      if (from) this.requestFrom(c, from);
      else if (!this.anyHolder(seq)) this.considerSeeding(c, now);
    }
  }

  private willFinishInTime(t: PeerTransfer, size: number, deadline: number): boolean {
    const now = this.now();
    const rate =
      t.firstByteAt !== undefined && now > t.firstByteAt ? t.received / (now - t.firstByteAt) : t.from.throughput;
    if (!rate) return false;
    return now + (size - t.received) / rate < deadline - 100;
  }

  /** A neighbour that holds the chunk and has room for our request; faster ones more likely. */
  private pickSource(seq: number, now: number): Neighbour | undefined {
    let best: Neighbour | undefined;
    let bestScore = -1;
    let known = 0;
    let sum = 0;
    for (const n of this.neighbours.values()) {
      if (n.throughput === undefined) continue;
      known++;
      sum += n.throughput;
    }
    const assumed = known > 0 ? sum / known : 1;
    for (const n of this.neighbours.values()) {
      if (!n.greeted || !n.uploads || !n.has.has(seq)) continue;
      if (n.requested.size >= this.opts.maxRequestsPerNeighbour) continue;
      const backoff = n.backoffUntil.get(seq);
      if (backoff !== undefined && now < backoff) continue;
      const score = (n.throughput ?? assumed) * (0.75 + 0.5 * this.random());
      if (score > bestScore) {
        best = n;
        bestScore = score;
      }
    }
    return best;
  }

  private anyHolder(seq: number): boolean {
    for (const n of this.neighbours.values()) if (n.uploads && n.has.has(seq)) return true;
    return false;
  }

  /** Nobody around holds it: pull it from the origin if it is our turn (see seed-rank.ts). */
  private considerSeeding(c: ChunkState, now: number): void {
    if (!this.args.upload || !this.playback.started) return;
    if (c.originRetryAt !== undefined && now < c.originRetryAt) return;
    if (c.incomingSince !== undefined && now - c.incomingSince < this.opts.incomingTimeoutMs) return;
    c.seedRank ??= seedRank(this.selfHash, this.uploaderHashes(), c.meta.seq);
    const round = Math.floor((now - c.announcedAt) / this.opts.seedRoundMs);
    // keyframe chunks are the large ones (I-frame): they cross the mesh slowest, so they start from more seeds
    // ... but never a large share of a small swarm, where the mesh is shallow anyway
    const wanted = c.meta.keyframe ? this.opts.keyframeSeeds : this.opts.chunkSeeds;
    const cap = Math.max(1, Math.ceil((this.known.size + 1 - this.nonUploaders.size) * this.opts.maxSeedShare));
    const extra = Math.min(wanted, cap) - 1;
    if (c.seedRank <= round + extra) this.fetchFromOrigin(c, 'seed');
  }

  private *uploaderHashes(): Iterable<number> {
    for (const [id, h] of this.known) if (!this.nonUploaders.has(id)) yield h;
  }

  private fetchFromOrigin(c: ChunkState, why: 'seed' | 'urgent'): void {
    const ctl = new AbortController();
    c.originFetch = ctl;
    if (why === 'seed') this.counters.seedFetches++;
    else this.counters.urgentFetches++;
    this.emit({ type: 'origin-fetch', seq: c.meta.seq, why, ageMs: this.now() - c.announcedAt });
    this.announceFetching(c);
    this.args.origin.fetchChunk(c.meta, ctl.signal).then(
      (bytes) => {
        if (c.originFetch !== ctl) return;
        c.originFetch = undefined;
        this.counters.cdnBytes += bytes.byteLength;
        this.verify(c, bytes, undefined);
      },
      (err: unknown) => {
        if (c.originFetch !== ctl) return;
        c.originFetch = undefined;
        c.originRetryAt = this.now() + 200;
        this.emit({ type: 'log', line: `origin chunk ${c.meta.seq}: ${String(err)}` });
      },
    );
  }

  private requestFrom(c: ChunkState, n: Neighbour): void {
    const now = this.now();
    c.peerFetch = {
      from: n,
      requestedAt: now,
      firstByteAt: undefined,
      lastProgressAt: now,
      buf: new Uint8Array(c.meta.size),
      received: 0,
    };
    n.requested.add(c.meta.seq);
    this.peerRequests++;
    this.sendTo(n, { type: 'request', seq: c.meta.seq });
    this.announceFetching(c);
  }

  private clearPeerFetch(c: ChunkState): PeerTransfer | undefined {
    const t = c.peerFetch;
    if (!t) return undefined;
    c.peerFetch = undefined;
    t.from.requested.delete(c.meta.seq);
    this.peerRequests--;
    return t;
  }

  private abandonPeerFetch(c: ChunkState, why: string): void {
    const t = this.clearPeerFetch(c);
    if (!t) return;
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
    if (!this.args.upload || c.announcedFetching) return;
    c.announcedFetching = true;
    for (const n of this.neighbours.values()) {
      if (n.greeted && n.uploads && !n.has.has(c.meta.seq) && !n.fetching.has(c.meta.seq))
        this.sendTo(n, { type: 'fetching', seq: c.meta.seq });
    }
  }

  private verify(c: ChunkState, bytes: Uint8Array, from: Neighbour | undefined): void {
    c.verifying = true;
    this.hash(bytes).then(
      (hex) => {
        c.verifying = false;
        if (this.stopped || this.chunks.get(c.meta.seq) !== c || c.data) return;
        if (hex === c.meta.hash && bytes.byteLength === c.meta.size) this.accept(c, bytes, from);
        else if (from) this.reportBadPeer(from, c.meta.seq, 'chunk hash mismatch');
        else {
          c.originRetryAt = this.now() + 500;
          this.emit({ type: 'log', line: `origin chunk ${c.meta.seq}: hash mismatch` });
        }
        this.schedule();
      },
      (err: unknown) => {
        c.verifying = false;
        this.emit({ type: 'log', line: `hash failed: ${String(err)}` });
      },
    );
  }

  private accept(c: ChunkState, bytes: Uint8Array, from: Neighbour | undefined): void {
    c.data = bytes;
    if (from) this.counters.p2pBytes += bytes.byteLength;
    this.emit({ type: 'verified', seq: c.meta.seq, source: from ? 'peer' : 'origin', ageMs: this.now() - c.announcedAt });
    if (c.peerFetch) this.abandonPeerFetch(c, 'got it elsewhere');
    if (c.originFetch) {
      c.originFetch.abort();
      c.originFetch = undefined;
    }
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
    if (this.ticks % 10 === 0) this.maintainLinks();
    this.tickTimer = this.args.clock.setTimeout(() => this.tick(), this.opts.tickMs);
  }

  /** Bounded memory: drop chunks (and what neighbours said about them) behind the serving window. */
  private evictOld(): void {
    const low = this.nextSeq - this.opts.keepBehindChunks;
    for (const [seq, c] of this.chunks) {
      if (seq >= low) continue;
      c.originFetch?.abort();
      this.clearPeerFetch(c);
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
      if (c?.peerFetch?.from === n) this.clearPeerFetch(c);
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
        for (const [lo, hi] of msg.have) {
          // clamp, so a hostile range cannot make us loop over billions of numbers
          for (let s = Math.max(lo, windowLow); s <= Math.min(hi, lo + 1000); s++) n.has.add(s);
        }
        this.schedule();
        break;
      }
      case 'have':
        if (msg.seq < windowLow) break;
        n.has.add(msg.seq);
        n.fetching.delete(msg.seq);
        if (this.chunks.get(msg.seq)?.data === undefined) this.schedule();
        break;
      case 'fetching': {
        if (msg.seq < windowLow) break;
        n.fetching.add(msg.seq);
        const c = this.chunks.get(msg.seq);
        if (c && !c.data) {
          c.incomingSince ??= this.now();
          // we will get it through the mesh too: pass the news on (see announceFetching)
          this.announceFetching(c);
        }
        break;
      }
      case 'request':
        this.uploader.request(n, msg.seq);
        break;
      case 'cancel':
        this.uploader.cancel(n, msg.seq);
        break;
      case 'absent': {
        n.has.delete(msg.seq);
        n.backoffUntil.set(msg.seq, this.now() + this.opts.absentBackoffMs);
        const c = this.chunks.get(msg.seq);
        if (c?.peerFetch?.from === n) this.clearPeerFetch(c);
        this.schedule();
        break;
      }
    }
  }

  private onPiece(n: Neighbour, frame: Uint8Array): void {
    const piece = decodePiece(frame);
    if (!piece) return this.emit({ type: 'log', line: `ignored a malformed piece from ${n.id}` });
    const c = this.chunks.get(piece.seq);
    const t = c?.peerFetch;
    // pieces of a chunk we cancelled, or never asked this neighbour for, are dropped
    if (!c || !t || t.from !== n) return;
    if (piece.offset + piece.payload.byteLength > c.meta.size)
      return this.reportBadPeer(n, piece.seq, 'piece out of bounds');
    // a chunk we asked this neighbour for twice (after giving up once) can arrive as the tail of the first
    // send followed by a whole second one: offset 0 starts over, other gaps are the stale tail
    if (piece.offset === 0) t.received = 0;
    else if (piece.offset !== t.received) return;
    const now = this.now();
    t.buf.set(piece.payload, piece.offset);
    t.received += piece.payload.byteLength;
    t.firstByteAt ??= now;
    t.lastProgressAt = now;
    if (t.received < c.meta.size) return;
    this.clearPeerFetch(c);
    n.recordTransfer(c.meta.size, now - t.requestedAt, this.opts.throughputEwma);
    n.has.add(piece.seq);
    this.verify(c, t.buf, n);
  }
}
