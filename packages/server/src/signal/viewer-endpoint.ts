/**
 * `/signal/viewer` (the upgrade was app-signed, see upgrade.ts): the viewer's half of the relay. An offer
 * reaches a device only with a valid viewer token that this app was given for that device; everything
 * else in a session flows only between the session's own two sockets.
 */
import { boundedReport } from './report-bounds.js';
import {
  ErrorCode,
  peekViewerToken,
  randomId,
  roleCovers,
  SIGNAL_PROTOCOL_VERSION,
  verifyViewerToken,
  viewerToServerSchema,
  TOKEN_FAILURE_STATUS,
  type TokenFailure,
  type ViewerToServer,
} from '@xp2p/protocol';
import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/schema.js';
import { SignalChannel } from './channel.js';
import { shortId, type Hub } from './hub.js';
import type { DeviceEnd, ViewerChannel, ViewerLink } from './registry.js';
import { ClusterUnavailableError } from '../cluster/cluster.js';
import { remoteDeviceEnd } from './remote-ends.js';
import { openStartRelay } from './start-relay.js';

type Offer = Extract<ViewerToServer, { type: 'offer' }>;

/** How log lines name a viewer: its app and, when the client sent one, its module's uuid (getUUID). */
export function viewerLabel(appid: string, uuid: string | undefined): string {
  return uuid ? `viewer ${appid} uuid ${uuid}` : `viewer ${appid}`;
}

/** Who is at the other end of a viewer socket, as its upgrade request told. */
export interface ViewerOrigin {
  /** the module's uuid (getUUID), when the client sent one */
  uuid?: string;
  /** the client's address (trust-proxy aware), for the audit log */
  address?: string;
  /** the Host header it connected by: which STUN URLs it is given (stun/advertised-stun.ts) */
  requestHost?: string;
  /** the web user a signalling ticket named: this socket may present only that user's viewer tokens */
  user?: string;
}

export function acceptViewer(ws: WebSocket, app: AppConfig, hub: Hub, from: ViewerOrigin = {}): void {
  const { uuid, address, requestHost, user } = from;
  const label = viewerLabel(app.appid, uuid);
  const link: ViewerLink = {
    app,
    label,
    ...(user !== undefined ? { user } : {}),
    ...(address !== undefined ? { address } : {}),
    sessions: new Set(),
    channel: new SignalChannel({
      ws,
      schema: viewerToServerSchema,
      tuning: hub.tuning,
      log: hub.log,
      onRefused: (status) => hub.metrics.refused('signal', status),
      label: () => label,
      onMessage: (message) => relayFromViewer(hub, link, message),
    }) as ViewerChannel,
  };
  ws.once('close', () => {
    hub.log(`${label} disconnected`);
    for (const session of hub.registry.endAll(link)) {
      session.device.channel.send({ type: 'bye', sessionId: session.id, reason: 'viewer left' });
      hub.log(`session ${shortId(session.id)} ended: ${label} left`);
    }
  });
  hub.heartbeat.watch(ws);
  // a TURN username per viewer connection, so coturn's per-user quota bounds one viewer, not a whole app
  const turnUser = `${app.appid}.${randomId(6)}`;
  link.channel.send({ type: 'hello', v: SIGNAL_PROTOCOL_VERSION, iceServers: hub.iceServers(turnUser, requestHost) });
}

async function relayFromViewer(hub: Hub, link: ViewerLink, message: ViewerToServer): Promise<void> {
  if (message.type === 'ping') return; // answered by the channel
  if (message.type === 'offer') return startSession(hub, link, message);
  const session = hub.registry.session(message.sessionId);
  if (!session || session.viewer !== link) {
    return link.channel.sendError(404, 'no such session', { sessionId: message.sessionId });
  }
  if (message.type === 'report') {
    const { ttffMs, bytes } = boundedReport(session, message, hub.tuning);
    hub.metrics.viewerReported(message.path, ttffMs, bytes);
    return;
  }
  if (message.type === 'bye') {
    hub.registry.endSession(session.id);
    hub.log(`session ${shortId(session.id)} ended by viewer`);
  }
  session.device.channel.send(message);
}

/** What a viewer hears about a token that failed; the status is the one the camera would give too. */
const TOKEN_REFUSAL_MESSAGES: Readonly<Record<TokenFailure, string>> = Object.freeze({
  malformed: 'viewer token is malformed',
  'bad-signature': 'viewer token signature is invalid',
  expired: 'viewer token has expired, fetch a new xp2pInfo',
  'wrong-device': 'viewer token is for another device',
});

async function startSession(hub: Hub, link: ViewerLink, offer: Offer): Promise<void> {
  const { sessionId } = offer;
  const refuse = (status: number, message: string): void =>
    link.channel.sendError(status, message, { sessionId, code: ErrorCode.START_STREAM_FAILED });

  if (hub.registry.session(sessionId)) return refuse(409, 'sessionId is already in use');
  if (link.sessions.size >= hub.tuning.maxSessionsPerViewer) {
    return refuse(429, `at most ${hub.tuning.maxSessionsPerViewer} sessions per connection`);
  }
  const claims = peekViewerToken(offer.token);
  const refuseToken = (reason: TokenFailure): void =>
    refuse(TOKEN_FAILURE_STATUS[reason], TOKEN_REFUSAL_MESSAGES[reason]);
  if (!claims) return refuseToken('malformed');
  const device = await hub.findDevice(claims.productId, claims.deviceName);
  // A token naming a device we do not know cannot have been signed by us; one naming another app's device
  // gets the very same answer, so an app cannot learn which of other tenants' devices exist.
  if (!device || device.appid !== link.app.appid) return refuseToken('bad-signature');
  const check = await verifyViewerToken(device.secret, offer.token, claims);
  if (!check.ok) return refuseToken(check.reason);
  // Genuine, but not this app's to present: as untrusted as a forged one from where this app stands.
  if (check.payload.appid !== link.app.appid) return refuse(401, 'viewer token was issued to another app');
  const { user, role, account } = check.payload;
  // A browser's socket (signalling ticket) speaks for one user: another user's token is not its to present.
  if (link.user !== undefined && user !== link.user) return refuse(403, 'viewer token was issued to another user');
  // An account's token is only as good as the role the account still holds (unshared since: refused).
  if (account) {
    const held = await hub.accounts.roleOf(user, claims.productId, claims.deviceName);
    if (!held || !roleCovers(held, role)) return refuse(403, 'this user no longer has that role on this device');
  }

  // Checked again after the await: the device may have left or another offer taken the id meanwhile.
  let target: DeviceEnd | undefined = hub.registry.onlineDevice(claims.productId, claims.deviceName);
  if (!target && hub.cluster.enabled) {
    try {
      const found = await hub.cluster.findDevice(claims.productId, claims.deviceName);
      if (found && found.node !== hub.cluster.nodeId) {
        target = remoteDeviceEnd(hub, found.node, claims.productId, claims.deviceName, found.version);
      }
    } catch (err) {
      if (!(err instanceof ClusterUnavailableError)) throw err;
      return refuse(503, 'the cluster store is unreachable, try again shortly');
    }
    target ??= hub.registry.onlineDevice(claims.productId, claims.deviceName);
  }
  if (!target) return refuse(404, `device ${claims.productId}/${claims.deviceName} is offline`);
  if (hub.registry.session(sessionId)) return refuse(409, 'sessionId is already in use');
  if (!link.channel.open) return;

  hub.registry.openSession(sessionId, link, target, { appid: link.app.appid, user, role, account: account === true });
  hub.audit
    .record({
      appid: link.app.appid,
      user,
      productId: claims.productId,
      deviceName: claims.deviceName,
      action: 'session',
      address: link.address,
      detail: role,
    })
    .catch((err: unknown) => hub.log(`audit write failed: ${(err as Error).message}`));
  hub.metrics.sessionOpened();
  hub.log(`session ${shortId(sessionId)} ${link.label} → ${target.productId}/${target.deviceName}`);
  const start = openStartRelay(hub, link, target, offer.start, (status, message) =>
    link.channel.sendError(status, message, { sessionId: offer.start?.id }),
  );
  target.channel.send({
    type: 'offer',
    sessionId,
    token: offer.token,
    sdp: offer.sdp,
    ...(offer.relay ? { relay: true } : {}),
    ...(start ? { start } : {}),
  });
}
