/**
 * Relay-first start: the wire messages. A cold start waits for ICE, DTLS, SCTP and a channel open before
 * its first request can even leave (11–12 round trips on a long path, issue 14). So the viewer's first live
 * request rides inside its offer (`start`), and the camera answers it at once over the signalling
 * connections that are already open (camera → node → viewer) as `relay` frames, end-to-end encrypted
 * (start-relay-crypto.ts), until the P2P channel opens and the stream moves there (the camera hands the
 * same live subscription over, so the viewer sees one byte stream). The node forwards the frames only
 * between the two ends of that session, counts them, and ends the relay (`relay-end`) at its byte cap or
 * time bound: it never becomes a long-term relay (that is TURN's job).
 *
 *   viewer  offer{..., start{id, key, path, query}}  →  node  →  camera
 *   camera  relay{sessionId=id, seq, key?, data}     →  node  →  viewer     (seq 0 carries the camera's key;
 *                                                                           binary: start-relay-binary.ts)
 *   node    relay-ack{sessionId=id, seq}             →  camera   (frame seq reached the node and went on)
 *   node    relay-end{sessionId=id, reason}          →  viewer and camera
 *   viewer or camera: bye{sessionId=id} ends it (the viewer once the stream moved to P2P)
 */
import * as z from 'zod/mini';
import { int, text } from '../schema.js';

/** Plaintext bytes at most in one relay frame (start-relay-binary.ts: a frame stays well under SIGNAL_MAX_BYTES). */
export const START_RELAY_FRAME_MAX_BYTES = 32 * 1024;
/** A frame sequence number never reaches this (a start relays a few hundred frames at most). */
export const START_RELAY_MAX_SEQ = 1_000_000;
/** The request line a start may carry: the live request is short. */
const START_QUERY_MAX = 1024;

const id = z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));
/** an uncompressed P-256 public key (65 bytes), base64: 88 characters */
const publicKey = z.string().check(z.minLength(87), z.maxLength(88), z.regex(/^[A-Za-z0-9+/]+=*$/));

/** Inside an offer: the first request, answered over signalling while P2P comes up. */
export const startRequestSchema = z.object({
  /** the relay's own session id: it lives on when the offer's attempt loses the connect race */
  id,
  /** the viewer's ECDH public key (start-relay-crypto.ts) */
  key: publicKey,
  /** only a live request is relayed: `ipc.flv` (the guide's live URL path), under plain folder names */
  path: z.string().check(z.maxLength(256), z.regex(/^([A-Za-z0-9_-]+\/)*ipc\.flv$/)),
  query: text(START_QUERY_MAX),
});
export type StartRequest = z.infer<typeof startRequestSchema>;

/**
 * Node → camera: frame `seq` (and every one before it) came in and went on to the viewer. The camera
 * measures with it how far its relay lags behind what it wrote: the bytes queued in its own TCP send
 * buffer are invisible to it otherwise, and a relay on an uplink slower than the stream only falls
 * further behind (start-relay/relay-writer.ts stops relaying media then).
 */
export const relayAckSchema = z.object({
  type: z.literal('relay-ack'),
  sessionId: id,
  seq: int(0, START_RELAY_MAX_SEQ),
});
export type RelayAck = z.infer<typeof relayAckSchema>;

/** Why the node ended a relay. */
export const RELAY_END_REASONS = ['cap', 'timeout'] as const;

/** Node → viewer and camera: the relay is over (the stream goes on over P2P, or starts there afresh). */
export const relayEndSchema = z.object({
  type: z.literal('relay-end'),
  sessionId: id,
  reason: z.enum(RELAY_END_REASONS),
});
export type RelayEnd = z.infer<typeof relayEndSchema>;

/**
 * The P2P request that takes a relayed start over carries this query parameter (the relay's id): the camera
 * moves that live subscription onto the request's channel, and its head says how many relay frames were
 * sent before the switch (RELAY_FRAMES_HEADER), so the viewer joins the two at the exact byte.
 */
export const RELAY_HANDOVER_PARAM = 'relay_handover';
export const RELAY_FRAMES_HEADER = 'x-relay-frames';

/** Plaintext frame kinds: a response frame as on a request channel (JSON text), or body bytes. */
export const RELAY_KIND_TEXT = 0;
export const RELAY_KIND_BODY = 1;
