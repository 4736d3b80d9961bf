/**
 * The 1vN tracker: a WebSocket at `/signal/peer` (app-signed like `/signal/viewer`: query appKey,
 * timestamp, nonce, signature over "GET\n/signal/peer\n..."). A peer joins one stream's swarm, gets
 * neighbours, relays WebRTC offers/answers/candidates to them through the server, receives the origin's
 * chunk announcements, and reports its figures.
 */
import { z } from 'zod';
import { iceServerSchema } from '../signal/messages.js';
import { initMetaSchema, originEventSchema, streamNameSchema } from './chunk-meta.js';

const peerId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** What one peer tells another through the server to set up a data channel between them. */
export const peerSignalSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('offer'),
    sdp: z
      .string()
      .min(1)
      .max(32 * 1024),
  }),
  z.object({
    kind: z.literal('answer'),
    sdp: z
      .string()
      .min(1)
      .max(32 * 1024),
  }),
  z.object({ kind: z.literal('candidate'), candidate: z.string().max(1024), mid: z.string().max(64).optional() }),
]);
export type PeerSignal = z.infer<typeof peerSignalSchema>;

export const peerReportSchema = z.object({
  /** bytes of media received from other peers / from the origin since joining */
  p2pBytes: z.number().nonnegative(),
  cdnBytes: z.number().nonnegative(),
  /** bytes this peer uploaded to others */
  uploadBytes: z.number().nonnegative(),
  stalls: z.number().int().nonnegative(),
  peers: z.number().int().nonnegative(),
  /** how far behind the newest announced chunk the peer plays (ms) */
  lagMs: z.number().nonnegative().optional(),
});
export type PeerReport = z.infer<typeof peerReportSchema>;

export const peerToTrackerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), v: z.literal(1), stream: streamNameSchema, upload: z.boolean() }),
  z.object({ type: z.literal('signal'), to: peerId, signal: peerSignalSchema }),
  z.object({ type: z.literal('report'), report: peerReportSchema }),
  /** a neighbour sent a chunk whose hash did not match: the tracker stops handing it out */
  z.object({ type: z.literal('bad-peer'), peerId, seq: z.number().int(), reason: z.string().max(256) }),
  /** ask for more neighbours (e.g. after some left) */
  z.object({ type: z.literal('more-peers') }),
  z.object({ type: z.literal('leave') }),
  z.object({ type: z.literal('ping') }),
]);
export type PeerToTracker = z.infer<typeof peerToTrackerSchema>;

export const trackerToPeerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('joined'),
    peerId,
    iceServers: z.array(iceServerSchema).max(16),
    epoch: z.string().max(64),
    init: initMetaSchema,
    targetChunkMs: z.number().int().positive(),
    /** peers to connect to (this peer offers to each) */
    neighbours: z.array(peerId).max(64),
    /**
     * Those of `neighbours` that joined with upload off: they never serve or seed, so a peer leaves them
     * out of its seeding order before their `hello` arrives. Optional (older trackers omit it).
     */
    noUpload: z.array(peerId).max(64).optional(),
  }),
  /** more peers to connect to; `noUpload` as in `joined` */
  z.object({
    type: z.literal('peers'),
    neighbours: z.array(peerId).max(64),
    noUpload: z.array(peerId).max(64).optional(),
  }),
  z.object({ type: z.literal('signal'), from: peerId, signal: peerSignalSchema }),
  z.object({ type: z.literal('peer-left'), peerId }),
  z.object({ type: z.literal('origin'), event: originEventSchema }),
  z.object({ type: z.literal('error'), status: z.number().int(), message: z.string().max(1024) }),
  z.object({ type: z.literal('pong') }),
]);
export type TrackerToPeer = z.infer<typeof trackerToPeerSchema>;
