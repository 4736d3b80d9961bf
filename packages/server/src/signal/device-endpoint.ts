/**
 * `/signal/device`: challenge–response login (protocol/src/auth/device-proof.ts), presence, and the
 * device's half of the relay. A second login of the same device replaces the first: a camera that
 * reconnects must not wait for its old TCP connection to time out.
 */
import {
  deviceToServerSchema,
  ErrorCode,
  parseRelayFrame,
  randomId,
  SIGNAL_PROTOCOL_VERSION,
  verifyDeviceLoginProof,
  type DeviceToServer,
  type ServerToDevice,
} from '@xp2p/protocol';
import type { WebSocket } from 'ws';
import { CLOSE_POLICY_VIOLATION, SignalChannel } from './channel.js';
import { shortId, type Hub } from './hub.js';
import type { DeviceChannel, DeviceLink } from './registry.js';
import { forwardRelayFrame } from './start-relay.js';

/** Close code for the old socket of a device that logged in again. */
export const CLOSE_REPLACED = 4000;

/** The one refusal a device login gets, whatever was wrong (unknown name, removed device, bad proof). */
export const DEVICE_LOGIN_REFUSED = 'login refused: unknown device or wrong secret';
const UNKNOWN_DEVICE_SECRET = randomId(32);

type AuthMessage = Extract<DeviceToServer, { type: 'auth' }>;

export function acceptDevice(ws: WebSocket, hub: Hub, requestHost?: string): void {
  const challenge = randomId(24);
  let link: DeviceLink | undefined;
  let authenticating = false;
  const label = (): string => (link ? `device ${link.productId}/${link.deviceName}` : 'device (not logged in)');

  const channel: DeviceChannel = new SignalChannel<DeviceToServer, ServerToDevice>({
    ws,
    schema: deviceToServerSchema,
    // a device's relay frames (once logged in: relayFromDevice refuses them before)
    parseBinary: parseRelayFrame,
    tuning: hub.tuning,
    log: hub.log,
    onRefused: (status) => hub.metrics.refused('signal', status),
    label,
    // not logged in yet: one invalid message ends it (garbage floods cost one parse per connection)
    maxInvalid: () => (link ? Number.POSITIVE_INFINITY : 1),
    onMessage: async (message) => {
      if (link) return relayFromDevice(hub, link, message);
      if (message.type !== 'auth') return channel.sendError(401, 'log in first (answer the challenge with auth)');
      if (authenticating) return;
      authenticating = true;
      link = await logIn(hub, channel, challenge, message, requestHost);
      if (link) clearTimeout(authTimer);
    },
  });

  const authTimer = setTimeout(() => {
    channel.sendError(401, `no login within ${hub.tuning.deviceAuthTimeoutMs / 1000} s`);
    channel.close(CLOSE_POLICY_VIOLATION, 'login timeout');
  }, hub.tuning.deviceAuthTimeoutMs);

  ws.once('close', () => {
    clearTimeout(authTimer);
    if (link) goOffline(hub, link);
  });

  hub.heartbeat.watch(ws);
  channel.send({ type: 'challenge', v: SIGNAL_PROTOCOL_VERSION, challenge });
}

async function logIn(
  hub: Hub,
  channel: DeviceChannel,
  challenge: string,
  auth: AuthMessage,
  requestHost: string | undefined,
): Promise<DeviceLink | undefined> {
  const name = `${auth.productId}/${auth.deviceName}`;
  const device = await hub.findDevice(auth.productId, auth.deviceName);
  // An unknown (or removed) device is checked against a throw-away secret, so both refusals cost the same.
  const proofOk = await verifyDeviceLoginProof(
    device?.secret ?? UNKNOWN_DEVICE_SECRET,
    auth.productId,
    auth.deviceName,
    challenge,
    auth.proof,
  );
  if (!device || !proofOk) {
    hub.log(`device login refused: ${device ? `wrong login proof for ${name}` : `unknown device ${name}`}`);
    // One answer for both, so the refusal does not tell a stranger which device names exist.
    channel.sendError(401, DEVICE_LOGIN_REFUSED);
    channel.close(CLOSE_POLICY_VIOLATION, 'login refused');
    return undefined;
  }
  if (!channel.open) return undefined; // it hung up while we checked
  const link: DeviceLink = {
    productId: auth.productId,
    deviceName: auth.deviceName,
    version: auth.version,
    channel,
    sessions: new Set(),
  };
  const replaced = hub.registry.setOnline(link);
  if (replaced) {
    endSessions(hub, replaced, 'device reconnected');
    replaced.channel.close(CLOSE_REPLACED, 'replaced');
    hub.log(`device ${name} logged in again, old connection replaced`);
  }
  hub.cluster.deviceOnline(link.productId, link.deviceName, link.version);
  channel.send({ type: 'welcome', iceServers: hub.iceServers(`${name}.${randomId(8)}`, requestHost) });
  hub.log(`device ${name} online (version ${auth.version})`);
  return link;
}

function goOffline(hub: Hub, link: DeviceLink): void {
  if (!hub.registry.setOffline(link)) return; // replaced: its sessions were already ended
  hub.cluster.deviceOffline(link.productId, link.deviceName);
  endSessions(hub, link, 'device offline');
  hub.log(`device ${link.productId}/${link.deviceName} offline`);
}

/** The device logged in on another node of the cluster: close the socket it left here. */
export function closeReplacedDevice(hub: Hub, productId: string, deviceName: string): void {
  const link = hub.registry.onlineDevice(productId, deviceName);
  if (!link || !hub.registry.setOffline(link)) return;
  endSessions(hub, link, 'device reconnected');
  link.channel.close(CLOSE_REPLACED, 'replaced');
  hub.log(`device ${productId}/${deviceName} logged in on another node, old connection replaced`);
}

function endSessions(hub: Hub, link: DeviceLink, reason: string): void {
  for (const session of hub.registry.endAll(link)) {
    session.viewer.channel.send({ type: 'bye', sessionId: session.id, reason });
  }
}

function relayFromDevice(hub: Hub, link: DeviceLink, message: DeviceToServer): void {
  if (message.type === 'auth') return link.channel.sendError(400, 'already logged in');
  if (message.type === 'ping') return; // answered by the channel
  const session = hub.registry.session(message.sessionId);
  if (!session || session.device !== link) {
    return link.channel.sendError(404, 'no such session on this device', { sessionId: message.sessionId });
  }
  const viewer = session.viewer.channel;
  switch (message.type) {
    case 'answer':
      // Counted on the viewer's node only, so a session that crosses nodes is counted once.
      if (!session.answered && session.viewer.remoteNode === undefined) {
        hub.metrics.offerAnswered((performance.now() - session.offeredAt) / 1000);
      }
      session.answered = true;
      return viewer.send({ type: 'answer', sessionId: session.id, sdp: message.sdp });
    case 'candidate':
      return viewer.send(message);
    case 'relay':
      return forwardRelayFrame(hub, link, session, message);
    case 'bye':
      hub.registry.endSession(session.id);
      hub.log(`session ${shortId(session.id)} ended by device`);
      return viewer.send(message);
    case 'reject':
      hub.registry.endSession(session.id);
      hub.log(`session ${shortId(session.id)} rejected by device: ${message.status} ${message.message}`);
      return viewer.send({
        type: 'error',
        sessionId: session.id,
        status: message.status,
        code: ErrorCode.START_STREAM_FAILED,
        message: message.message,
      });
  }
}
