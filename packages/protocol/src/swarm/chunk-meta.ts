/**
 * 1vN chunks: the origin cuts a live FLV stream into small numbered chunks (each starts at an FLV tag
 * boundary, a new one at every video keyframe, at most ~0.5 s long), hashes each with SHA-256, and
 * serves them at immutable URLs. Every viewer sees the same numbers and hashes, so peers can trade
 * chunks and verify every byte against the origin's hash before using or forwarding it.
 *
 * URL layout on the origin (the server), for stream NAME and publish epoch E (a random id per publish,
 * so a republished stream never reuses a chunk URL):
 *   GET  /live/NAME.flv                 plain HTTP-FLV (GOP start), for viewers without P2P and baselines
 *   GET  /live/NAME/manifest.json       StreamManifest: epoch, init, recent chunks (no cache)
 *   GET  /live/NAME/E/init-I.flv        init part I: FLV header + metadata + sequence headers (immutable)
 *   GET  /live/NAME/E/chunk-SEQ.bin     chunk bytes: concatenated FLV tags (immutable)
 *   GET  /live/NAME/feed                NDJSON announce feed: one OriginEvent per line as they happen
 *   GET  /live/NAME/start?lead=MS       a viewer's start in one request: init part + start chunk (see
 *                                       start-pick.ts; headers START_HEADERS name epoch, initId, init size, seq)
 *   POST|PUT /live/NAME?key=KEY         publish (chunked FLV body), e.g. ffmpeg -f flv http://…/live/NAME?key=KEY
 */
import * as z from 'zod/mini';
import { int } from '../schema.js';

export const streamNameSchema = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_.-]+$/));
const epochSchema = z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));
const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/));
/** the origin's Ed25519 signature over the record (record-signature.ts), base64url of 64 bytes */
const recordSig = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/)));

/**
 * Piece hashes let a peer verify a chunk piece by piece as it arrives and forward each verified piece at
 * once (cut-through), instead of waiting for the whole chunk at every hop: a chunk then crosses a mesh
 * path in about one chunk transfer plus one piece time per hop. Pieces are `pieceBytes` long (the last
 * may be shorter); at most CHUNK_MAX_PIECES of them, so an announcement stays well under the signalling
 * size limit.
 */
export const CHUNK_PIECE_BYTES = 16 * 1024;
export const CHUNK_MAX_PIECES = 256;

/** The piece length the origin uses for a chunk of `size` bytes. */
export function chunkPieceBytes(size: number, preferred = CHUNK_PIECE_BYTES): number {
  return Math.max(preferred, Math.ceil(size / CHUNK_MAX_PIECES));
}

/** [start, end) byte ranges of a chunk's pieces. */
export function chunkPieceRanges(size: number, pieceBytes: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < size; start += pieceBytes) out.push([start, Math.min(size, start + pieceBytes)]);
  return out;
}

export const chunkMetaSchema = z.object({
  seq: int(0),
  size: int(1, 16 * 1024 * 1024),
  /** SHA-256 of the chunk bytes, lower-case hex */
  hash: sha256Hex,
  /** the chunk starts with a video keyframe: a viewer may start here */
  keyframe: z.boolean(),
  /** FLV timestamp (ms) of the chunk's first tag */
  timestamp: int(0),
  /** media time the chunk covers (ms) */
  duration: int(0),
  /** which init part decodes it */
  initId: int(0),
  /** length of each hashed piece (the last may be shorter); see CHUNK_PIECE_BYTES */
  pieceBytes: z.optional(int(1, 16 * 1024 * 1024)),
  /** SHA-256 of each piece, in order (a peer ignores a list whose length does not fit size/pieceBytes) */
  pieces: z.optional(z.array(sha256Hex).check(z.maxLength(CHUNK_MAX_PIECES))),
  sig: recordSig,
});
export type ChunkMeta = z.infer<typeof chunkMetaSchema>;

export const initMetaSchema = z.object({
  initId: int(0),
  size: int(1, 1024 * 1024),
  hash: sha256Hex,
  sig: recordSig,
});
export type InitMeta = z.infer<typeof initMetaSchema>;

export const streamManifestSchema = z.object({
  v: z.literal(1),
  stream: streamNameSchema,
  epoch: epochSchema,
  init: initMetaSchema,
  /** recent chunks still in the origin's window, oldest first */
  chunks: z.array(chunkMetaSchema).check(z.maxLength(10_000)),
  /** false once the publisher stopped: no chunk will follow the last one */
  live: z.boolean(),
  targetChunkMs: int(1),
});
export type StreamManifest = z.infer<typeof streamManifestSchema>;

/** One line of the announce feed (and the same events pushed by the tracker). */
export const originEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chunk'), epoch: epochSchema, chunk: chunkMetaSchema }),
  z.object({ type: z.literal('init'), epoch: epochSchema, init: initMetaSchema }),
  /** the publisher stopped: every viewer ends with eof after the last chunk */
  z.object({ type: z.literal('eof'), epoch: epochSchema, lastSeq: int() }),
]);
export type OriginEvent = z.infer<typeof originEventSchema>;

export const originUrls = {
  flv: (stream: string) => `/live/${stream}.flv`,
  manifest: (stream: string) => `/live/${stream}/manifest.json`,
  init: (stream: string, epoch: string, initId: number) => `/live/${stream}/${epoch}/init-${initId}.flv`,
  chunk: (stream: string, epoch: string, seq: number) => `/live/${stream}/${epoch}/chunk-${seq}.bin`,
  feed: (stream: string) => `/live/${stream}/feed`,
  start: (stream: string, leadMs: number) => `/live/${stream}/start?lead=${leadMs}`,
  publish: (stream: string) => `/live/${stream}`,
  stats: (stream: string) => `/api/streams/${stream}/stats`,
} as const;
