/**
 * Signalling messages (JSON over WebSocket), one discriminated union per direction.
 *
 *   viewer  --/signal/viewer-->  server  --/signal/device-->  device
 *
 * The viewer names each 1v1 session with a random `sessionId`; the server relays offer, answer and
 * trickled candidates between the viewer and the device named in the session's token, and only when the
 * token is valid. Every inbound message is size-checked and parsed against these schemas.
 */
import { z } from 'zod';

export const SIGNAL_PROTOCOL_VERSION = 1;
/** No signalling message may be larger (an SDP with many candidates is ~4 KiB). */
export const SIGNAL_MAX_BYTES = 64 * 1024;
/** The ICE path a session took (the local candidate type of the selected pair, RFC 8839 §5.1). */
export const ICE_PATHS = ['host', 'srflx', 'prflx', 'relay', 'unknown'] as const;
export type IcePath = (typeof ICE_PATHS)[number];

const id = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/);
const sdp = z
  .string()
  .min(1)
  .max(32 * 1024);
const candidate = z.object({
  type: z.literal('candidate'),
  sessionId: id,
  candidate: z.string().max(1024),
  mid: z.string().max(64).optional(),
});
const bye = z.object({ type: z.literal('bye'), sessionId: id, reason: z.string().max(256).optional() });
const ping = z.object({ type: z.literal('ping') });
const pong = z.object({ type: z.literal('pong') });

export const iceServerSchema = z.object({
  urls: z.union([z.string().max(512), z.array(z.string().max(512)).max(8)]),
  username: z.string().max(256).optional(),
  credential: z.string().max(256).optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/** Server → any client: a refusal. `code` is one of the guide's codes when one fits, `status` HTTP-like. */
const error = z.object({
  type: z.literal('error'),
  sessionId: id.optional(),
  status: z.number().int(),
  code: z.number().int().optional(),
  message: z.string().max(1024),
});

// ---- viewer <-> server ----
export const viewerToServerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('offer'),
    sessionId: id,
    token: z.string().min(1).max(1024),
    sdp,
    /** the viewer may use a TURN relay on this attempt: only then does the camera gather relay candidates */
    relay: z.boolean().optional(),
  }),
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
    ttffMs: z.number().min(0).max(600_000).optional(),
    bytes: z
      .number()
      .int()
      .min(0)
      .max(2 ** 50)
      .optional(),
  }),
]);
export type ViewerToServer = z.infer<typeof viewerToServerSchema>;

export const serverToViewerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), v: z.number().int(), iceServers: z.array(iceServerSchema).max(16) }),
  z.object({ type: z.literal('answer'), sessionId: id, sdp }),
  candidate,
  bye,
  error,
  pong,
]);
export type ServerToViewer = z.infer<typeof serverToViewerSchema>;

// ---- device <-> server ----
export const deviceToServerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('auth'),
    v: z.number().int(),
    productId: name,
    deviceName: name,
    /** device p2p version reported in xp2pInfo, e.g. "2.4.50" */
    version: z
      .string()
      .max(32)
      .regex(/^\d+(\.\d+){1,3}$/),
    proof: z.string().min(1).max(128),
  }),
  z.object({ type: z.literal('answer'), sessionId: id, sdp }),
  /** the device refuses a session (bad token, too many viewers ...) */
  z.object({ type: z.literal('reject'), sessionId: id, status: z.number().int(), message: z.string().max(1024) }),
  candidate,
  bye,
  ping,
]);
export type DeviceToServer = z.infer<typeof deviceToServerSchema>;

export const serverToDeviceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('challenge'), v: z.number().int(), challenge: z.string().min(16).max(128) }),
  z.object({ type: z.literal('welcome'), iceServers: z.array(iceServerSchema).max(16) }),
  z.object({
    type: z.literal('offer'),
    sessionId: id,
    token: z.string().min(1).max(1024),
    sdp,
    /** the viewer may use a TURN relay on this attempt: only then does the camera gather relay candidates */
    relay: z.boolean().optional(),
  }),
  candidate,
  bye,
  error,
  pong,
]);
export type ServerToDevice = z.infer<typeof serverToDeviceSchema>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** Size-checks and parses one inbound frame. Never throws. */
export function parseSignal<T>(schema: z.ZodType<T>, raw: unknown): ParseResult<T> {
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
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `invalid message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema'}`,
    };
  }
  return { ok: true, message: parsed.data };
}
