/**
 * Routes WebSocket upgrades on the shared HTTP server: `/signal/device` (devices authenticate inside the
 * socket), `/signal/viewer` and `/signal/peer` (1vN tracker), both app-signed like a `GET <path>` with an
 * empty body, or carrying a signalling ticket (`?ticket=`, auth/signal-ticket.ts: what a browser signed in
 * to the web app has instead of an app secret), checked before the upgrade so an unauthenticated client
 * never gets a socket. Anything else gets a plain HTTP refusal.
 */
import { viewerUuidOf } from '@xp2p/protocol';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { AppAuthenticator, AppAuthResult } from '../auth/app-authenticator.js';
import { verifySignalTicket } from '../auth/signal-ticket.js';
import type { AppConfig } from '../config/schema.js';
import { signatureFromQuery, signedHostOf, splitTarget } from '../auth/signature-fields.js';
import { acceptDevice } from './device-endpoint.js';
import type { Hub } from './hub.js';
import { acceptViewer, viewerLabel } from './viewer-endpoint.js';
import { TokenBucket } from './token-bucket.js';
import { KeyedTokenBuckets } from './keyed-buckets.js';
import type { ConnectionKind } from '../ops/metrics.js';

/** WebSocket path cameras sign in on. */
export const DEVICE_PATH = '/signal/device';
/** WebSocket path viewers signal on (app-signed query). */
export const VIEWER_PATH = '/signal/viewer';
/** WebSocket path of the 1vN tracker. */
export const PEER_PATH = '/signal/peer';

export interface UpgradeContext {
  hub: Hub;
  wss: WebSocketServer;
  authenticator: AppAuthenticator;
  /** an app by its appid (signalling tickets name their app) */
  appById: (appid: string) => Promise<AppConfig | undefined>;
  /** every accepted socket, so close() can end them */
  sockets: Set<WebSocket>;
  closing: () => boolean;
  /** the 1vN tracker's sockets: own server, so their size limit can differ from signalling's */
  peerWss?: WebSocketServer;
  /** `address`: the client's (clientAddress): the tracker counts bad-peer reporters by address */
  acceptPeer?: (ws: WebSocket, app: AppConfig, requestHost: string | undefined, address: string) => void;
  /** The client's address for per-address limits (the socket's peer, or the proxy's X-Forwarded-For). */
  clientAddress?: (req: IncomingMessage) => string;
  /** the host an app signature must cover (default: the Host header; behind a trusted proxy, its X-Forwarded-Host) */
  signedHost?: (req: IncomingMessage) => string | undefined;
}

/** Answers an upgrade request with a plain HTTP error (same JSON shape as the API) and drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { status, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

type UpgradeAuth = (AppAuthResult & { ok: true; user?: string }) | (AppAuthResult & { ok: false });

/** A signalling ticket (`?ticket=`, a signed-in browser) or an app signature over `GET <path>`. */
function authenticateUpgrade(
  ctx: UpgradeContext,
  path: string,
  query: URLSearchParams,
  host: string | undefined,
): Promise<UpgradeAuth> {
  const ticket = query.get('ticket');
  return ticket !== null
    ? useTicket(ctx, ticket, host)
    : ctx.authenticator.verify(signatureFromQuery(query), { method: 'GET', host, path, body: '' });
}

/** A valid ticket opens one socket: its nonce is claimed like an app signature's (cluster-wide). */
async function useTicket(ctx: UpgradeContext, ticket: string, host: string | undefined): Promise<UpgradeAuth> {
  const checked = await verifySignalTicket(ticket, ctx.appById, host);
  if (!checked.ok) return checked;
  const verdict = await ctx.authenticator.claimOnce(
    `t1:${checked.app.appid}:${checked.nonce}`,
    checked.app.appid,
    checked.exp * 1000 + 1000,
  );
  if (verdict === 'replay')
    return { ok: false, status: 401, message: 'signalling ticket already used, ask for a new one' };
  if (verdict === 'full') return { ok: false, status: 503, message: 'too many signed requests, retry later' };
  return checked;
}

export function createUpgradeHandler(ctx: UpgradeContext) {
  const { tuning, metrics } = ctx.hub;
  const joins = new TokenBucket(tuning.joinBurst, tuning.joinsPerSecond);
  const addressJoins = new KeyedTokenBuckets(tuning.joinBurstPerAddress, tuning.joinsPerSecondPerAddress);
  const appJoins = new KeyedTokenBuckets(tuning.appJoinBurst, tuning.appJoinsPerSecond, 10_000);
  const clientAddress = ctx.clientAddress ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? '');
  const signedHost = ctx.signedHost ?? ((req: IncomingMessage) => signedHostOf(req.headers, false));
  const perApp = new Map<string, number>();
  const refuse = (socket: Duplex, status: number, message: string): void => {
    metrics.refused('upgrade', status);
    refuseUpgrade(socket, status, message);
  };
  const upgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    kind: ConnectionKind,
    accept: (ws: WebSocket) => void,
    wss: WebSocketServer = ctx.wss,
    appid?: string,
  ): void => {
    if (appid !== undefined) {
      const open = perApp.get(appid) ?? 0;
      if (open >= tuning.maxConnectionsPerApp) {
        ctx.hub.log(`${kind} refused: app ${appid} is at its limit of ${tuning.maxConnectionsPerApp} connections`);
        return refuse(
          socket,
          429,
          `too many connections for this app (at most ${tuning.maxConnectionsPerApp} per node)`,
        );
      }
      perApp.set(appid, open + 1);
    }
    const release = (): void => {
      if (appid === undefined) return;
      const left = (perApp.get(appid) ?? 1) - 1;
      if (left > 0) perApp.set(appid, left);
      else perApp.delete(appid);
    };
    let upgraded = false;
    // A socket that dies during the handshake never reaches the callback below.
    socket.once('close', () => {
      if (!upgraded) release();
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      ws.once('close', release);
      if (ctx.closing()) return ws.terminate();
      ctx.sockets.add(ws);
      metrics.connectionOpened(kind);
      ws.once('close', () => {
        ctx.sockets.delete(ws);
        metrics.connectionClosed(kind);
      });
      accept(ws);
    });
  };

  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Until the upgrade completes a reset socket would otherwise throw an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    if (ctx.closing()) return refuse(socket, 503, 'server is shutting down');
    // Before any signature check: refusing costs nothing, checking costs an HMAC.
    if (!addressJoins.take(clientAddress(req))) {
      return refuse(socket, 429, 'too many new connections from this address, retry shortly');
    }
    if (!joins.take()) return refuse(socket, 429, 'too many new connections per second, retry shortly');
    const { path, query } = splitTarget(req.url);
    const host = req.headers.host;
    if (path === DEVICE_PATH) return upgrade(req, socket, head, 'device', (ws) => acceptDevice(ws, ctx.hub, host));
    const acceptPeer = ctx.acceptPeer;
    const isPeer = path === PEER_PATH && acceptPeer !== undefined;
    if (path !== VIEWER_PATH && !isPeer) return refuse(socket, 404, `no WebSocket endpoint ${path}`);
    const who = isPeer ? 'peer' : 'viewer';
    // The module's getUUID, so this client's log lines can be found by the id the app shows.
    const uuid = isPeer ? undefined : viewerUuidOf(query);
    if (uuid === null) return refuse(socket, 400, 'uuid must be 1-64 letters, digits, _ or -');
    authenticateUpgrade(ctx, path, query, signedHost(req))
      .then((auth) => {
        if (!auth.ok) {
          ctx.hub.log(`${who} refused: ${auth.message}`);
          return refuse(socket, auth.status, auth.message);
        }
        if (socket.destroyed) return;
        const appid = auth.app.appid;
        if (!appJoins.take(appid)) return refuse(socket, 429, 'too many new connections for this app, retry shortly');
        if (isPeer && acceptPeer) {
          return upgrade(
            req,
            socket,
            head,
            'peer',
            (ws) => acceptPeer(ws, auth.app, host, clientAddress(req) || 'unknown'),
            ctx.peerWss,
            appid,
          );
        }
        const user = auth.user;
        upgrade(
          req,
          socket,
          head,
          'viewer',
          (ws) => {
            ctx.hub.log(`${viewerLabel(appid, uuid)} connected${user ? ` (web user ${user})` : ''}`);
            acceptViewer(ws, auth.app, ctx.hub, {
              uuid,
              address: clientAddress(req),
              requestHost: host,
              ...(user !== undefined ? { user } : {}),
            });
          },
          ctx.wss,
          appid,
        );
      })
      .catch(() => refuse(socket, 500, 'internal server error'));
  };
}
