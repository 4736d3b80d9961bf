/**
 * Signalling between a camera and the server (JSON over WebSocket; relay frames binary, start-relay-binary.ts).
 * A module of its own, apart from messages.ts: a viewer (the sdk's browser bundle) never parses these.
 */
import * as z from 'zod/mini';
import { int, text } from '../schema.js';
import { bye, candidate, error, iceServerSchema, id, name, offer, ping, pong, sdp } from './signal-parts.js';
import type { RelayFrame } from './start-relay-binary.js';
import { relayAckSchema, relayEndSchema } from './start-relay.js';

export const deviceToServerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('auth'),
    v: int(),
    productId: name,
    deviceName: name,
    /** device p2p version reported in xp2pInfo, e.g. "2.4.50" */
    version: z.string().check(z.maxLength(32), z.regex(/^\d+(\.\d+){1,3}$/)),
    proof: text(128, 1),
  }),
  z.object({ type: z.literal('answer'), sessionId: id, sdp }),
  /** the device refuses a session (bad token, too many viewers ...) */
  z.object({ type: z.literal('reject'), sessionId: id, status: int(), message: text(1024) }),
  candidate,
  bye,
  ping,
]);
/** What a device sends: JSON text messages, and relay frames as binary messages (start-relay-binary.ts). */
export type DeviceToServer = z.infer<typeof deviceToServerSchema> | RelayFrame;

export const serverToDeviceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('challenge'), v: int(), challenge: text(128, 16) }),
  z.object({ type: z.literal('welcome'), iceServers: z.array(iceServerSchema).check(z.maxLength(16)) }),
  offer,
  candidate,
  bye,
  error,
  pong,
  relayAckSchema,
  relayEndSchema,
]);
export type ServerToDevice = z.infer<typeof serverToDeviceSchema>;
