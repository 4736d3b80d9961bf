/**
 * Request framing over a WebRTC data channel: one reliable, ordered channel per request, carrying HTTP
 * semantics like the reference system's P2P link.
 *
 *   viewer → device  text   {type:"request", path, query}          first message on the channel
 *   device → viewer  text   {type:"head", status, headers}         exactly once
 *   device → viewer  binary body bytes                             any number, each ≤ FRAME_MAX_BODY_BYTES
 *   device → viewer  text   {type:"end"} | {type:"error", ...}     last message; then the channel closes
 *   viewer → device  binary upstream bytes (talkback), then text {type:"end"}
 *
 * Closing the channel from either side cancels the request.
 */
import * as z from 'zod/mini';
import { int, text, type MessageSchema } from '../schema.js';
import { parseSignal, type ParseResult } from '../signal/messages.js';
import { REQUEST_PATH_MAX_LENGTH, REQUEST_PATH_PATTERN } from './request-path.js';

export const REQUEST_CHANNEL_LABEL = 'xp2p-req';
/** The request line: path + query. user_args alone may be 1 KiB, so 8 KiB leaves room. */
export const FRAME_MAX_CONTROL_BYTES = 8 * 1024;
/** Binary messages are cut to this size: small enough for every SCTP stack, big enough for throughput. */
export const FRAME_MAX_BODY_BYTES = 64 * 1024;

export const requestFrameSchema = z.object({
  type: z.literal('request'),
  v: z.literal(1),
  path: z.string().check(z.maxLength(REQUEST_PATH_MAX_LENGTH), z.regex(REQUEST_PATH_PATTERN)),
  query: text(FRAME_MAX_CONTROL_BYTES - 512),
});
export type RequestFrame = z.infer<typeof requestFrameSchema>;

export const responseFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('head'),
    status: int(100, 599),
    headers: z.record(text(64), text(1024)),
  }),
  z.object({ type: z.literal('end') }),
  z.object({ type: z.literal('error'), status: int(), message: text(1024) }),
]);
export type ResponseFrame = z.infer<typeof responseFrameSchema>;

export const upstreamFrameSchema = z.object({ type: z.literal('end') });

function parseControl<T>(schema: MessageSchema<T>, raw: string): ParseResult<T> {
  if (raw.length > FRAME_MAX_CONTROL_BYTES)
    return { ok: false, error: `control frame over ${FRAME_MAX_CONTROL_BYTES} bytes` };
  return parseSignal(schema, raw);
}

export const parseRequestFrame = (raw: string): ParseResult<RequestFrame> => parseControl(requestFrameSchema, raw);
export const parseResponseFrame = (raw: string): ParseResult<ResponseFrame> => parseControl(responseFrameSchema, raw);

export const encodeFrame = (frame: RequestFrame | ResponseFrame | { type: 'end' }): string => JSON.stringify(frame);
