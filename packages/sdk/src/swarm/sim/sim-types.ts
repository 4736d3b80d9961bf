/** What the 1vN simulation takes (options, with their defaults) and what it measures (results). */
import type { BadPeerQuorumOptions } from '@xp2p/protocol';
import type { SwarmOptions } from '../engine/defaults.js';
import type { SwarmEvent } from '../engine/types.js';
import type { SimOrigin } from './sim-origin.js';

export interface SwarmSimOptions {
  peers: number;
  /** viewing time simulated after the first join */
  seconds: number;
  seed?: number;
  bitrateKbps?: number;
  chunkMs?: number;
  keyframeEveryMs?: number;
  /** share of peers with upload off (mobile) */
  nonUploadingShare?: number;
  /** share of peers behind NATs that cannot reach each other */
  natShare?: number;
  /** uploaders' upload capacity as a multiple of the bitrate, drawn log-uniformly from [min, max] */
  uploadMultiple?: [number, number];
  downloadMbps?: [number, number];
  /** one-way access latency per peer; a path between two peers costs both */
  latencyMs?: [number, number];
  lossRate?: number;
  retransmitMs?: number;
  /** the origin runs this long before the first viewer joins */
  warmupMs?: number;
  /** viewers join spread over this long */
  joinSpreadMs?: number;
  /** share of viewers that leave at a random time mid-run */
  leaveShare?: number;
  /** extra viewers joining at `lateJoinAtMs` after the first join */
  lateJoiners?: number;
  lateJoinAtMs?: number;
  /** peers that flip a byte in every piece they upload */
  corruptPeers?: number;
  /** peers (the first ones drawn) that attack the swarm as `attackKind` says */
  attackers?: number;
  attackKind?: AttackKind;
  /** the tracker's bad-peer rule (default: the server's, BAD_PEER_QUORUM_DEFAULTS) */
  trackerQuorum?: Partial<BadPeerQuorumOptions>;
  /** the publisher stops this long after the first join (origin eof) */
  eofAtMs?: number;
  /** real payload bytes = declared chunk size / payloadScale (bandwidth is accounted on the declared size) */
  payloadScale?: number;
  /** the origin announces piece hashes (cut-through forwarding); false: whole-chunk hashes only */
  pieceHashes?: boolean;
  /** peers the tracker hands out per join */
  trackerHandOut?: number;
  /** the tracker names the peers it hands out that do not upload (`noUpload`); false: peers learn it from `hello` */
  trackerNamesNoUpload?: boolean;
  engine?: Partial<SwarmOptions>;
  /** every engine event, with the peer it came from (diagnostics) */
  onEngineEvent?: (peer: SimPeerResult, event: SwarmEvent) => void;
  /** keep every peer's output bytes (tests) */
  keepOutputs?: boolean;
}

/**
 * How an attacker behaves (it always uploads, never leaves, and is left out of the viewers' figures):
 * - poison: flips a byte in every piece it sends;
 * - withhold: advertises what it holds, as an honest peer does, but no piece it is asked for arrives;
 * - lie: announces `have` for every chunk the moment the origin announces it, before holding it;
 * - false-report: serves honestly, and reports every neighbour it links with as bad to the tracker.
 */
export type AttackKind = 'poison' | 'withhold' | 'lie' | 'false-report';

export interface SimPeerResult {
  id: string;
  upload: boolean;
  nat: boolean;
  corrupt: boolean;
  /** how this peer attacks the swarm, if it does */
  attack?: AttackKind;
  /** the tracker evicted it (a quorum of bad-peer reports) */
  evicted?: boolean;
  joinAt: number;
  leftAt?: number;
  late: boolean;
  startSeq?: number;
  startKeyframe?: boolean;
  startupMs?: number;
  lagMs?: number;
  baselineLagMs?: number;
  addedLagMs?: number;
  chunksOut: number;
  lateChunks: number;
  /** sequence numbers of chunks in output order */
  seqs: number[];
  /** init + chunk bytes in output order (keepOutputs) */
  outputs?: Uint8Array[];
  initFirst: boolean;
  ended: boolean;
  uploadBytes: number;
  bulkBytesSent: number;
  stalls: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

export interface SwarmSimResult {
  peers: number;
  seconds: number;
  offload: number;
  limit: number;
  continuity: number;
  stalls: number;
  startupMs: Percentiles;
  lagMs: Percentiles;
  baselineLagMs: Percentiles;
  addedLagMs: Percentiles;
  controlOverheadRatio: number;
  originChunkBytes: number;
  deliveredChunkBytes: number;
  badPeerReports: number;
  /** peers reported as bad at least once */
  reportedPeers: string[];
  /**
   * offload of the honest viewers alone: 1 − what they fetched from the origin / chunk bytes they were handed
   * (attackers that everyone dropped fetch everything from the origin, which `offload` counts)
   */
  honestOffload: number;
  /** peers the tracker evicted: honest ones, attackers */
  honestEvicted: number;
  attackersEvicted: number;
  /** origin chunk fetches by the engines: to seed the mesh / because a deadline was near */
  seedFetches: number;
  urgentFetches: number;
  wallMs: number;
  events: number;
  perPeer: SimPeerResult[];
  /** the origin's chunks, for checking outputs */
  origin: SimOrigin;
}

export const SIM_DEFAULTS = Object.freeze({
  seed: 1,
  bitrateKbps: 2000,
  chunkMs: 500,
  keyframeEveryMs: 2000,
  nonUploadingShare: 0.2,
  natShare: 0.1,
  uploadMultiple: [1.5, 6] as [number, number],
  downloadMbps: [8, 50] as [number, number],
  latencyMs: [10, 40] as [number, number],
  lossRate: 0.01,
  retransmitMs: 300,
  warmupMs: 6000,
  joinSpreadMs: 5000,
  leaveShare: 0,
  lateJoiners: 0,
  lateJoinAtMs: 20_000,
  corruptPeers: 0,
  attackers: 0,
  attackKind: 'poison' as AttackKind,
  payloadScale: 32,
  trackerHandOut: 64,
  trackerNamesNoUpload: true,
  pieceHashes: true,
});

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p95: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

/** The options with every default filled in. */
export type ResolvedSimOptions = SwarmSimOptions & Required<Pick<SwarmSimOptions, keyof typeof SIM_DEFAULTS>>;
