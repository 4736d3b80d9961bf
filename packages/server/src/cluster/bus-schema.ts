/**
 * Every message a node reads from Redis is checked against this schema before any handler sees it: Redis
 * is shared infrastructure, and whoever can publish to a node's channel (a compromised node, a misused
 * Redis) must not be able to hand a device or viewer a malformed message or crash the node.
 */
import {
  peerSignalSchema,
  RELAY_BINARY_MAX_BYTES,
  serverToDeviceSchema,
  serverToViewerSchema,
  SIGNAL_MAX_BYTES,
  streamNameSchema,
} from '@xp2p/protocol';
import { z } from 'zod';
import type { BusMessage } from './cluster.js';

const name = z.string().min(1).max(128);
const peerId = z.string().min(1).max(64);

export const busMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('to-device'),
    from: name,
    sessionId: name,
    productId: name,
    deviceName: name,
    message: serverToDeviceSchema,
  }),
  z.object({ t: z.literal('to-viewer'), from: name, sessionId: name, message: serverToViewerSchema }),
  // parsed again as a relay frame (start-relay-binary.ts) by the receiving node
  z.object({
    t: z.literal('relay-to-viewer'),
    from: name,
    sessionId: name,
    frame: z
      .string()
      .max(Math.ceil(RELAY_BINARY_MAX_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]+=*$/),
  }),
  z.object({ t: z.literal('device-replaced'), from: name, productId: name, deviceName: name }),
  z.object({
    t: z.literal('peer-signal'),
    from: name,
    stream: streamNameSchema,
    fromPeer: peerId,
    toPeer: peerId,
    signal: peerSignalSchema,
  }),
  z.object({
    t: z.literal('peer-left'),
    from: name,
    stream: streamNameSchema,
    peerId,
    to: z.array(peerId).max(10_000),
  }),
]);

/** The message, or why it was dropped. */
export function parseBusMessage(text: string): { ok: true; message: BusMessage } | { ok: false; error: string } {
  if (text.length > 2 * SIGNAL_MAX_BYTES) return { ok: false, error: `over ${2 * SIGNAL_MAX_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = busMessageSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'invalid' };
  return { ok: true, message: parsed.data as BusMessage };
}
