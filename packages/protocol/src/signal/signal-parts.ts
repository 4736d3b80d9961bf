/** Message parts both directions of signalling share (messages.ts: viewer, device-messages.ts: camera). */
import * as z from 'zod/mini';
import { int, text } from '../schema.js';
import { startRequestSchema } from './start-relay.js';

export const id = z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));
export const name = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_.-]+$/));
export const sdp = text(32 * 1024, 1);
export const candidate = z.object({
  type: z.literal('candidate'),
  sessionId: id,
  candidate: text(1024),
  mid: z.optional(text(64)),
});
export const bye = z.object({ type: z.literal('bye'), sessionId: id, reason: z.optional(text(256)) });
export const ping = z.object({ type: z.literal('ping') });
export const pong = z.object({ type: z.literal('pong') });

export const iceServerSchema = z.object({
  urls: z.union([text(512), z.array(text(512)).check(z.maxLength(8))]),
  username: z.optional(text(256)),
  credential: z.optional(text(256)),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/** Server → any client: a refusal. `code` is one of the guide's codes when one fits, `status` HTTP-like. */
export const error = z.object({
  type: z.literal('error'),
  sessionId: z.optional(id),
  status: int(),
  code: z.optional(int()),
  message: text(1024),
});

/** A viewer's offer, as the viewer sends it and as the server passes it on to the camera. */
export const offer = z.object({
  type: z.literal('offer'),
  sessionId: id,
  token: text(1024, 1),
  sdp,
  /** the viewer may use a TURN relay on this attempt: only then does the camera gather relay candidates */
  relay: z.optional(z.boolean()),
  /** the first live request, answered over signalling while P2P comes up (start-relay.ts) */
  start: z.optional(startRequestSchema),
});
