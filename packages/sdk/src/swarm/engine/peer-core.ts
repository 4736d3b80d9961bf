/**
 * The state one swarm peer's parts share (chunks, neighbours, counters, where the output stands), and the
 * calls they make on each other (EngineCalls). Each job of the engine lives in its own file (start,
 * output, scheduler, piece requests, origin fetches, seeding, verification, links); they meet here, so
 * no part imports another and the order in which SwarmPeer builds them does not matter.
 */
import type { PeerMessage } from '@xp2p/protocol';
import { Assembly } from './assembly.js';
import type { ChunkState, InitState, OriginPart, PeerTransfer } from './chunk-state.js';
import type { SwarmOptions } from './defaults.js';
import { SwarmEvents } from './events.js';
import type { Neighbour } from './neighbour.js';
import { PlaybackModel } from './playback.js';
import type { HashFn, MeshTransport, OriginClient, SwarmClock, SwarmEvent, SwarmOutput } from './types.js';
import type { Uploader } from './uploader.js';
import { encodePeerMessage } from './wire.js';

/** The engine's inputs (SwarmPeerArgs without the options, resolved). */
export interface CoreInputs {
  clock: SwarmClock;
  origin: OriginClient;
  mesh: MeshTransport;
  output: SwarmOutput;
  upload: boolean;
  hash: HashFn;
  random: () => number;
  opts: SwarmOptions;
}

/** What the engine's parts ask of each other; SwarmPeer points each at the part that does it. */
export interface EngineCalls {
  /** the scheduler: decide, chunk by chunk, who brings what (scheduler.ts) */
  schedule(): void;
  /** hand out what is ready, in order (output.ts) */
  tryOutput(): void;
  fetchInit(init: InitState): void;
  /** pick the start chunk when there is one (start.ts) */
  tryStart(): void;
  /** origin fetches (origin-fetch.ts) */
  fetchFromOrigin(c: ChunkState, why: 'seed' | 'urgent', span: [number, number]): void;
  recordOriginFetch(bytes: number, ms: number, isInit: boolean): void;
  /** announcements to neighbours (seeding.ts) */
  announceFetching(c: ChunkState): void;
  spreadSeeded(c: ChunkState, from: Neighbour | undefined): void;
  /** verification (verify.ts) */
  checkUnit(c: ChunkState, asm: Assembly, unit: number, src: PeerTransfer | OriginPart): void;
  accept(c: ChunkState, bytes: Uint8Array): void;
  reportBadPeer(n: Neighbour, seq: number, reason: string): void;
  /** requests to neighbours (piece-requests.ts) */
  clearPeerFetch(c: ChunkState, t: PeerTransfer): void;
  abandonPeerFetch(c: ChunkState, t: PeerTransfer, why: string): void;
  /** links (links.ts) */
  maintainLinks(): void;
  detach(n: Neighbour, reason: string): void;
  /** drop the link and do not link to it again for `ms` */
  shun(n: Neighbour, ms: number, reason: string): void;
}

export class PeerCore {
  readonly events = new SwarmEvents();
  readonly playback = new PlaybackModel();
  readonly chunks = new Map<number, ChunkState>();
  readonly inits = new Map<number, InitState>();
  readonly neighbours = new Map<string, Neighbour>();
  /** peers we heard of (tracker, incoming links), with their id hash, for seeding ranks and links */
  readonly known = new Map<string, number>();
  readonly nonUploaders = new Set<string>();
  readonly banned = new Set<string>();
  readonly counters = {
    p2pBytes: 0,
    cdnBytes: 0,
    controlBytes: 0,
    chunksOut: 0,
    lateChunks: 0,
    seedFetches: 0,
    urgentFetches: 0,
    badPeers: 0,
  };
  /** set by SwarmPeer once every part exists */
  calls!: EngineCalls;
  uploader!: Uploader;

  selfId = '';
  selfHash = 0;
  epoch = '';
  joinedAt = 0;
  startSeq: number | undefined;
  nextSeq = 0;
  newestSeq = -1;
  endSeq: number | undefined;
  ended = false;
  stopped = false;
  /** how old the start chunk must be before it is handed out (set by the start) */
  startHoldMs = 0;
  /** the timer that hands out the start chunk once it is `startHoldMs` old */
  holdTimer: unknown;
  /** our requests to neighbours outstanding, over all of them */
  peerRequests = 0;

  constructor(readonly io: CoreInputs) {}

  get opts(): SwarmOptions {
    return this.io.opts;
  }

  now(): number {
    return this.io.clock.now();
  }

  emit(event: SwarmEvent): void {
    this.io.output.onEvent?.(event);
    this.events.emit(event);
  }

  log(line: string): void {
    this.emit({ type: 'log', line });
  }

  sendTo(n: Neighbour, msg: PeerMessage): void {
    if (this.neighbours.get(n.id) !== n) return;
    const text = encodePeerMessage(msg);
    this.counters.controlBytes += text.length;
    n.link.send(text);
  }

  /** A chunk the origin announced (or the manifest listed); undefined when known already or behind the output. */
  addChunk(meta: ChunkState['meta'], announcedAt: number): ChunkState | undefined {
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

  assembly(c: ChunkState): Assembly {
    c.asm ??= new Assembly(c.meta, c.pieces?.hashes, c.pieces?.bytes);
    return c.asm;
  }

  /** Chunks below this are behind the serving window: what neighbours say about them is not kept. */
  windowLow(): number {
    return this.startSeq === undefined ? 0 : this.nextSeq - this.opts.keepBehindChunks;
  }

  /** Chunks above this are too far ahead of the newest we know: what neighbours say about them is not kept. */
  windowHigh(): number {
    return Math.max(this.newestSeq, this.nextSeq) + this.opts.maxAheadChunks;
  }
}
