/**
 * The 1vN tracker: a WebSocket at `/signal/peer` (app-signed like `/signal/viewer`: query appKey,
 * timestamp, nonce, signature over "GET\n/signal/peer\n..."). A peer joins one stream's swarm, gets
 * neighbours, relays WebRTC offers/answers/candidates to them through the server, receives the origin's
 * chunk announcements, and reports its figures.
 */
import * as z from 'zod/mini';
import { int, text } from '../schema.js';
import { iceServerSchema } from '../signal/messages.js';
import { initMetaSchema, originEventSchema, streamNameSchema } from './chunk-meta.js';

const peerId = z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));
const peerIds = z.array(peerId).check(z.maxLength(64));
/** a byte count: non-negative, and not necessarily an integer in reports that average */
const amount = () => z.number().check(z.nonnegative());

/** What one peer tells another through the server to set up a data channel between them. */
export const peerSignalSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('offer'),
    sdp: text(32 * 1024, 1),
  }),
  z.object({
    kind: z.literal('answer'),
    sdp: text(32 * 1024, 1),
  }),
  z.object({ kind: z.literal('candidate'), candidate: text(1024), mid: z.optional(text(64)) }),
]);
export type PeerSignal = z.infer<typeof peerSignalSchema>;

export const peerReportSchema = z.object({
  /** bytes of media received from other peers / from the origin since joining */
  p2pBytes: amount(),
  cdnBytes: amount(),
  /** bytes this peer uploaded to others */
  uploadBytes: amount(),
  stalls: int(0),
  peers: int(0),
  /** how far behind the newest announced chunk the peer plays (ms) */
  lagMs: z.optional(amount()),
});
export type PeerReport = z.infer<typeof peerReportSchema>;

export const peerToTrackerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), v: z.literal(1), stream: streamNameSchema, upload: z.boolean() }),
  z.object({ type: z.literal('signal'), to: peerId, signal: peerSignalSchema }),
  z.object({ type: z.literal('report'), report: peerReportSchema }),
  /** a neighbour sent a chunk whose hash did not match: the tracker stops handing it out */
  z.object({ type: z.literal('bad-peer'), peerId, seq: int(), reason: text(256) }),
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
    iceServers: z.array(iceServerSchema).check(z.maxLength(16)),
    epoch: text(64),
    init: initMetaSchema,
    targetChunkMs: int(1),
    /** peers to connect to (this peer offers to each) */
    neighbours: peerIds,
    /**
     * Those of `neighbours` that joined with upload off: they never serve or seed, so a peer leaves them
     * out of its seeding order before their `hello` arrives. Optional (older trackers omit it).
     */
    noUpload: z.optional(peerIds),
  }),
  /** more peers to connect to; `noUpload` as in `joined` */
  z.object({
    type: z.literal('peers'),
    neighbours: peerIds,
    noUpload: z.optional(peerIds),
  }),
  z.object({ type: z.literal('signal'), from: peerId, signal: peerSignalSchema }),
  z.object({ type: z.literal('peer-left'), peerId }),
  z.object({ type: z.literal('origin'), event: originEventSchema }),
  z.object({ type: z.literal('error'), status: int(), message: text(1024) }),
  z.object({ type: z.literal('pong') }),
]);
export type TrackerToPeer = z.infer<typeof trackerToPeerSchema>;
