/**
 * What the 1vN swarm engine takes as inputs (DESIGN principle 1: the same code runs in the simulator
 * and over WebRTC) and what it reports. Nothing here touches the network or a real clock.
 */
import type { ChunkMeta, InitMeta } from '@xp2p/protocol';

/** Time source and timers. Real: Date.now + global timers; simulation: a virtual clock. */
export interface SwarmClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** HTTP access to the origin's immutable init and chunk URLs. */
export interface OriginClient {
  fetchInit(init: InitMeta, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * The chunk's bytes, or with `range` ([start, end), end exclusive) only those bytes (HTTP Range): the
   * engine fetches just the pieces no neighbour brought.
   */
  fetchChunk(meta: ChunkMeta, signal: AbortSignal, range?: readonly [number, number]): Promise<Uint8Array>;
  /**
   * Optional: the init part and the start chunk in one request (the origin's start route; it picks the
   * chunk by pickStartChunk with `leadMs`), issued while the tracker join is under way. Unverified: the
   * engine checks both against the hashes it learns at join.
   */
  fetchStart?(leadMs: number, signal: AbortSignal): Promise<OriginStart>;
}

/** What the origin's start route answered (not yet verified). */
export interface OriginStart {
  epoch: string;
  initId: number;
  init: Uint8Array;
  seq: number;
  chunk: Uint8Array;
  /** ms from issuing the request to its first byte (about one round trip), when known */
  firstByteMs?: number;
}

/** One open, reliable, ordered channel to a neighbour (a data channel, or a simulated one). */
export interface MeshLink {
  readonly peerId: string;
  send(data: string | Uint8Array): void;
  /** Bytes accepted by send() and not yet handed to the network. */
  readonly bufferedAmount: number;
  onMessage: ((data: string | Uint8Array) => void) | undefined;
  /** Fires once, whoever closed the link. */
  onClose: (() => void) | undefined;
  /** Fires when bufferedAmount has fallen to the link's low-water mark (the engine sends its next chunk). */
  onBufferedLow: (() => void) | undefined;
  close(): void;
}

export interface MeshTransport {
  /** Resolves once the link is open; rejects when the neighbour cannot be reached. */
  connect(peerId: string): Promise<MeshLink>;
  /** Set by the engine: a neighbour opened a link to us. */
  onIncoming: ((link: MeshLink) => void) | undefined;
}

/** SHA-256 of the bytes, lower-case hex. */
export type HashFn = (bytes: Uint8Array) => Promise<string>;

/** The tracker's `joined`, plus the origin's recent chunks (from the manifest) when the caller has them. */
export interface SwarmJoin {
  peerId: string;
  epoch: string;
  init: InitMeta;
  neighbours: string[];
  /** the tracker's `noUpload`: those of `neighbours` that do not upload */
  noUpload?: string[];
  /**
   * Recent chunks, oldest first (StreamManifest.chunks). Lets the peer start at a keyframe at once
   * instead of waiting for the next keyframe announcement.
   */
  recentChunks?: ChunkMeta[];
}

export type SwarmEvent =
  | { type: 'peer-join'; peerId: string }
  | { type: 'peer-leave'; peerId: string; reason: string }
  /** Forward to the tracker as `{type:'bad-peer', peerId, seq, reason}`. */
  | { type: 'bad-peer'; peerId: string; seq: number; reason: string }
  /** Forward to the tracker as `{type:'more-peers'}`. */
  | { type: 'more-peers' }
  /** First chunk handed to the output: playback can start. */
  | { type: 'start'; seq: number; startupMs: number }
  /** The output ran dry: the chunk was not there by its playback deadline. */
  | { type: 'stall'; seq: number }
  /** A chunk is being pulled from the origin: to seed the mesh, or because its deadline is near. */
  | { type: 'origin-fetch'; seq: number; why: 'seed' | 'urgent'; ageMs: number }
  /** A chunk passed its hash check (ageMs: since the origin announced it) */
  | { type: 'verified'; seq: number; source: 'origin' | 'peer'; ageMs: number }
  /**
   * What became of the one-request start (init + start chunk fetched with the tracker join): `used` (the
   * output starts with it, `seq`), or not, and why: the answer did not check out (`not-used`), the request
   * failed (`failed`), or it did not land within `startFetchWaitMs` of the join (`too-slow`).
   */
  | { type: 'start-fetch'; outcome: 'used' | 'not-used' | 'failed' | 'too-slow'; seq?: number; reason?: string }
  /** We gave up a request to a neighbour (no answer, stalled, too slow for the deadline, got it elsewhere). */
  | { type: 'transfer-dropped'; seq: number; peerId: string; reason: string }
  /** An origin fetch failed or brought bytes that failed their hash; the engine tries again. */
  | { type: 'origin-error'; seq?: number; reason: string }
  | { type: 'end'; lastSeq: number }
  | { type: 'log'; line: string };

export interface SwarmOutput {
  /** Init bytes first, then verified chunks in sequence. `seq` is undefined for init parts. */
  onData(bytes: Uint8Array, info: { kind: 'init' | 'chunk'; seq?: number; meta?: ChunkMeta }): void;
  /** After the last chunk of a stream that ended (origin `eof`). */
  onEnd?(): void;
  onEvent?(event: SwarmEvent): void;
}

export interface SwarmStats {
  /** chunk bytes received from neighbours / from the origin (init included in cdnBytes) */
  p2pBytes: number;
  cdnBytes: number;
  /** chunk bytes sent to neighbours */
  uploadBytes: number;
  /** bytes of control messages sent (JSON text) */
  controlBytes: number;
  /** neighbours with an open link that said hello */
  peers: number;
  stalls: number;
  /** total time the output was starved past a deadline (ms) */
  stallMs: number;
  /** how far behind the newest announced chunk playback is (ms); undefined before start */
  lagMs: number | undefined;
  startSeq: number | undefined;
  /** next chunk the output waits for */
  nextSeq: number | undefined;
  chunksOut: number;
  /** chunks handed out after their playback deadline */
  lateChunks: number;
  /** chunks from the origin fetched to seed the mesh / because a deadline was near */
  seedFetches: number;
  urgentFetches: number;
  badPeers: number;
  /** chunk numbers we keep something about over all neighbours (announcements, back-offs): bounded by the window */
  neighbourState: number;
}
