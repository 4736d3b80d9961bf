/**
 * Signalling messages (JSON over WebSocket), one discriminated union per direction; the one binary
 * message is a relay frame (start-relay-binary.ts).
 *
 *   viewer  --/signal/viewer-->  server  --/signal/device-->  device
 *
 * The viewer names each 1v1 session with a random `sessionId`; the server relays offer, answer and
 * trickled candidates between the viewer and the device named in the session's token, and only when the
 * token is valid. Every inbound message is size-checked and parsed against these schemas.
 */
import * as z from 'zod/mini';
import { describeIssue, int, type MessageSchema } from '../schema.js';
import { bye, candidate, error, iceServerSchema, id, offer, ping, pong, sdp } from './signal-parts.js';
import type { RelayFrame } from './start-relay-binary.js';
import { relayEndSchema } from './start-relay.js';

export const SIGNAL_PROTOCOL_VERSION = 1;
/** No signalling message may be larger (an SDP with many candidates is ~4 KiB). */
export const SIGNAL_MAX_BYTES = 64 * 1024;
/** The ICE path a session took (the local candidate type of the selected pair, RFC 8839 §5.1). */
export const ICE_PATHS = ['host', 'srflx', 'prflx', 'relay', 'unknown'] as const;
export type IcePath = (typeof ICE_PATHS)[number];

export { iceServerSchema, type IceServer } from './signal-parts.js';

// ---- viewer <-> server ----
export const viewerToServerSchema = z.discriminatedUnion('type', [
  offer,
  candidate,
  bye,
  ping,
  /**
   * How one of the viewer's own sessions went, for the server's metrics (the server never sees a frame):
   * the time to the stream's first bytes, the ICE path in use, and bytes received since the last report.
   * Never relayed to the camera.
   */
  z.object({
    type: z.literal('report'),
    sessionId: id,
    path: z.enum(ICE_PATHS),
    ttffMs: z.optional(z.number().check(z.minimum(0), z.maximum(600_000))),
    bytes: z.optional(int(0, 2 ** 50)),
  }),
]);
export type ViewerToServer = z.infer<typeof viewerToServerSchema>;

export const serverToViewerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), v: int(), iceServers: z.array(iceServerSchema).check(z.maxLength(16)) }),
  z.object({ type: z.literal('answer'), sessionId: id, sdp }),
  candidate,
  bye,
  error,
  pong,
  relayEndSchema,
]);
/** What a viewer gets: JSON text messages, and relay frames as binary messages (start-relay-binary.ts). */
export type ServerToViewer = z.infer<typeof serverToViewerSchema> | RelayFrame;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** Size-checks and parses one inbound frame. Never throws. */
export function parseSignal<T>(schema: MessageSchema<T>, raw: unknown): ParseResult<T> {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof Uint8Array) {
    if (raw.byteLength > SIGNAL_MAX_BYTES) return { ok: false, error: `message over ${SIGNAL_MAX_BYTES} bytes` };
    text = new TextDecoder().decode(raw);
  } else return { ok: false, error: 'message must be text' };
  if (text.length > SIGNAL_MAX_BYTES) return { ok: false, error: `message over ${SIGNAL_MAX_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not JSON' };
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) return { ok: false, error: `invalid message: ${describeIssue(parsed.error.issues[0])}` };
  return { ok: true, message: parsed.data };
}
