/**
 * Routes WebSocket upgrades on the shared HTTP server: `/signal/device` (devices authenticate inside the
 * socket), `/signal/viewer` and `/signal/peer` (1vN tracker), both app-signed like a `GET <path>` with an
 * empty body, checked before the upgrade so an unsigned client never gets a socket. Anything else gets a
 * plain HTTP refusal.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { AppAuthenticator } from '../auth/app-authenticator.js';
import type { AppConfig } from '../config/schema.js';
import { signatureFromQuery, splitTarget } from '../http/signature-fields.js';
import { acceptDevice } from './device-endpoint.js';
import type { Hub } from './hub.js';
import { acceptViewer } from './viewer-endpoint.js';

export const DEVICE_PATH = '/signal/device';
export const VIEWER_PATH = '/signal/viewer';
export const PEER_PATH = '/signal/peer';

export interface UpgradeContext {
  hub: Hub;
  wss: WebSocketServer;
  authenticator: AppAuthenticator;
  /** every accepted socket, so close() can end them */
  sockets: Set<WebSocket>;
  closing: () => boolean;
  /** the 1vN tracker's sockets: own server, so their size limit can differ from signalling's */
  peerWss?: WebSocketServer;
  acceptPeer?: (ws: WebSocket, app: AppConfig) => void;
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

export function createUpgradeHandler(ctx: UpgradeContext) {
  const upgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    accept: (ws: WebSocket) => void,
    wss: WebSocketServer = ctx.wss,
  ): void => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (ctx.closing()) return ws.terminate();
      ctx.sockets.add(ws);
      ws.once('close', () => ctx.sockets.delete(ws));
      accept(ws);
    });
  };

  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Until the upgrade completes a reset socket would otherwise throw an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    if (ctx.closing()) return refuseUpgrade(socket, 503, 'server is shutting down');
    const { path, query } = splitTarget(req.url);
    if (path === DEVICE_PATH) return upgrade(req, socket, head, (ws) => acceptDevice(ws, ctx.hub));
    const acceptPeer = ctx.acceptPeer;
    const isPeer = path === PEER_PATH && acceptPeer !== undefined;
    if (path !== VIEWER_PATH && !isPeer) return refuseUpgrade(socket, 404, `no WebSocket endpoint ${path}`);
    const who = isPeer ? 'peer' : 'viewer';
    ctx.authenticator
      .verify(signatureFromQuery(query), { method: 'GET', path, body: '' })
      .then((auth) => {
        if (!auth.ok) {
          ctx.hub.log(`${who} refused: ${auth.message}`);
          return refuseUpgrade(socket, auth.status, auth.message);
        }
        if (socket.destroyed) return;
        if (isPeer && acceptPeer) return upgrade(req, socket, head, (ws) => acceptPeer(ws, auth.app), ctx.peerWss);
        upgrade(req, socket, head, (ws) => {
          ctx.hub.log(`viewer ${auth.app.appid} connected`);
          acceptViewer(ws, auth.app, ctx.hub);
        });
      })
      .catch(() => refuseUpgrade(socket, 500, 'internal server error'));
  };
}
