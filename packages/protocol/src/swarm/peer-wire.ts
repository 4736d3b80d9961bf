/**
 * Peer ↔ peer wire, on one reliable ordered data channel (label SWARM_CHANNEL_LABEL) per pair.
 * Control messages are JSON text; chunk bytes travel as binary pieces:
 *   [u8 PIECE_KIND=1][u32 seq][u32 offset][payload ≤ SWARM_MAX_PIECE_BYTES]   (big-endian)
 * The receiver knows each chunk's size and hash from the origin's announcement, assembles the pieces
 * (possibly from several neighbours: a request may name a run of the origin's hashed pieces),
 * and verifies the SHA-256 before using or forwarding the chunk. When the announcement lists piece hashes
 * (chunk-meta.ts), each hashed piece is verified as soon as it is in and may be forwarded at once: a peer
 * that announced `fetching` serves requests for that chunk while it is still arriving.
 */
import * as z from 'zod/mini';
import { int } from '../schema.js';
import { CHUNK_MAX_PIECES } from './chunk-meta.js';

export const SWARM_CHANNEL_LABEL = 'xp2p-swarm';
export const SWARM_MAX_PIECE_BYTES = 64 * 1024 - 9;
export const PIECE_KIND = 1;
export const PIECE_HEADER_BYTES = 9;

const seq = int(0);
/**
 * A run of a chunk's hashed pieces, by piece index: `from` inclusive, `to` exclusive (at most
 * CHUNK_MAX_PIECES). Optional on `have`/`fetching`/`request`/`absent`: absent means the whole chunk, so
 * peers that never send it interoperate.
 */
const piece = int(0, CHUNK_MAX_PIECES);
const pieceRange = { from: z.optional(piece), to: z.optional(piece) };

export const peerMessageSchema = z.discriminatedUnion('type', [
  /** first message: what I hold (seq ranges, inclusive) and whether I upload */
  z.object({
    type: z.literal('hello'),
    v: z.literal(1),
    have: z.array(z.tuple([seq, seq])).check(z.maxLength(256)),
    upload: z.boolean(),
  }),
  /** I now hold this chunk (verified), or only pieces [from, to) of it */
  z.object({ type: z.literal('have'), seq, ...pieceRange }),
  /**
   * I am downloading this chunk now (from the origin or a neighbour): ask me for it (I forward it as it
   * verifies) rather than fetching it from the origin too
   */
  z.object({ type: z.literal('fetching'), seq, ...pieceRange }),
  /**
   * Someone in the swarm pulls this chunk from the origin to seed the mesh (relayed once by every peer):
   * the rest wait for it to spread instead of seeding it too
   */
  z.object({ type: z.literal('seeded'), seq }),
  /** please send me this chunk (or its pieces [from, to), each as soon as you have it verified) */
  z.object({
    type: z.literal('request'),
    seq,
    ...pieceRange,
    /** how long until I must play it (ms): the sender serves the tightest first */
    slackMs: z.optional(int(0, 600_000)),
  }),
  z.object({ type: z.literal('cancel'), seq }),
  /** I cannot send it (do not hold it, or I am not uploading) */
  z.object({ type: z.literal('absent'), seq, ...pieceRange }),
]);
export type PeerMessage = z.infer<typeof peerMessageSchema>;

export function encodePiece(seqNo: number, offset: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(PIECE_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, PIECE_KIND);
  view.setUint32(1, seqNo);
  view.setUint32(5, offset);
  out.set(payload, PIECE_HEADER_BYTES);
  return out;
}

export function decodePiece(frame: Uint8Array): { seq: number; offset: number; payload: Uint8Array } | undefined {
  if (frame.byteLength < PIECE_HEADER_BYTES || frame.byteLength > PIECE_HEADER_BYTES + SWARM_MAX_PIECE_BYTES)
    return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint8(0) !== PIECE_KIND) return undefined;
  return { seq: view.getUint32(1), offset: view.getUint32(5), payload: frame.subarray(PIECE_HEADER_BYTES) };
}
