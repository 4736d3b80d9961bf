/** What one swarm peer keeps per chunk, per init part, per transfer and for its one-request start. */
import type { ChunkMeta, InitMeta } from '@xp2p/protocol';
import type { Assembly, UnitSource } from './assembly.js';
import type { Neighbour } from './neighbour.js';
import type { OriginStart } from './types.js';

/** Our request to a neighbour for units [first, end) of a chunk. */
export interface PeerTransfer extends UnitSource {
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
export interface OriginPart extends UnitSource {
  readonly kind: 'origin';
  ctl: AbortController;
}

export interface ChunkState {
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

export interface InitState {
  meta: InitMeta;
  data?: Uint8Array;
  fetching: boolean;
  retryAt?: number;
}

/** The one-request start (init + start chunk) issued at join time: pending, being checked, or settled. */
export interface StartFetch {
  ctl: AbortController;
  state: 'pending' | 'landed' | 'checking' | 'settled';
  result?: OriginStart;
  waitTimer?: unknown;
}

/** The run of pieces a message names: undefined for the whole chunk, 'bad' when it makes no sense. */
export function pieceRun(msg: { from?: number; to?: number }): { from: number; to: number } | undefined | 'bad' {
  if (msg.from === undefined && msg.to === undefined) return undefined;
  if (msg.from === undefined || msg.to === undefined || msg.from >= msg.to) return 'bad';
  return { from: msg.from, to: msg.to };
}
