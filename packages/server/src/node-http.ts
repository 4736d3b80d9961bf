/**
 * The HTTP(S) side of a server node: the router over the node's parts, the listener with its WebSocket
 * upgrades, and the polite close of every socket. server.ts calls these in order.
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isCameraStreamName, SIGNAL_MAX_BYTES } from '@xp2p/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { XP2PConfig } from './config/schema.js';
import type { ServerTuning } from './defaults.js';
import { createRequestHandler } from './http/api.js';
import { createWebApi } from './http/web-api.js';
import type { WebSessions } from './accounts/web-sessions.js';
import { applyServerDeadlines, connectionsCheckingInterval, withRequestDeadlines } from './http/deadlines.js';
import { signedHostOf } from './auth/signature-fields.js';
import { clientAddress, publicUrlResolver } from './http/public-url.js';
import { createRouter } from './http/router.js';
import type { NodeParts } from './node-parts.js';
import { ReaderBudget } from './origin/reader-budget.js';
import { clusterPresence } from './signal/presence.js';
import { createUpgradeHandler } from './signal/upgrade.js';
import { loadTlsPair, watchTlsFiles, type TlsFiles } from './tls/tls-files.js';
import { SERVER_VERSION } from './version.js';
import { staticFiles } from './web/static-files.js';

export type Readiness = () => { ready: boolean; reasons: string[] };
export type RequestListener = ReturnType<typeof createRouter>;

export interface NodeRouterOptions {
  /** the web app's sign-ins (http/web-api.ts) */
  sessions: WebSessions;
  /** the server is reached over TLS (its own or a proxy's): session cookies get Secure */
  secureCookies: boolean;
  config: XP2PConfig;
  tuning: ServerTuning;
  nodeId: string;
  log: (line: string) => void;
  readiness: Readiness;
  webRoot: string | undefined;
  publicUrl: string | undefined;
  trustProxy: boolean;
  /** this node's listening URL ('' until it listens) */
  ownUrl: () => string;
  /** the address or name it listens on */
  listenHost: string;
  /** the STUN URLs advertised to a client that came by `requestHost` (GET /api/server-info) */
  stunUrls: (requestHost?: string) => string[];
}

export function createNodeRouter(parts: NodeParts, o: NodeRouterOptions): RequestListener {
  const { origin, tracker, cluster, registry } = parts;
  const api = {
    hub: parts.hub,
    authenticator: parts.authenticator,
    url: publicUrlResolver({
      publicUrl: o.publicUrl,
      trustProxy: o.trustProxy,
      ownUrl: o.ownUrl,
      listenHost: o.listenHost,
    }),
    serverInfo: (req: IncomingMessage) => ({ version: SERVER_VERSION, stunUrls: o.stunUrls(req.headers.host) }),
    signedHost: (req: IncomingMessage) => signedHostOf(req.headers, o.trustProxy),
  };
  const web = createWebApi({
    api,
    sessions: o.sessions,
    secureCookies: o.secureCookies,
    trustProxy: o.trustProxy,
    clientAddress: (req) => clientAddress(req, o.trustProxy),
  });
  return createRouter({
    live: {
      origin,
      publishKey: o.config.publishKey,
      tuning: o.tuning,
      log: o.log,
      readers: new ReaderBudget(o.tuning.maxStreamReaders, o.tuning.streamReadersMaxBacklogBytes),
    },
    tracker,
    mirrors: parts.mirrors,
    pulls: parts.pulls,
    cameraStreams: parts.cameraStreams,
    clusterStreams: cluster.enabled
      ? { figures: (stream) => cluster.swarmFigures(stream), published: (limit) => cluster.publishedStreams(limit) }
      : undefined,
    ops: {
      metrics: parts.metrics,
      readiness: o.readiness,
      web: o.webRoot ? staticFiles(o.webRoot) : undefined,
      signedIn: (req) => web.signedIn(req),
      status: async () => ({
        version: SERVER_VERSION,
        node: o.nodeId,
        ready: o.readiness().ready,
        devices: await clusterPresence(await parts.hub.accounts.devices(), registry, cluster),
        // a camera's 1vN stream name is a capability: never listed
        streams: origin
          .streams()
          .filter((s) => !isCameraStreamName(s.name))
          .map((s) => ({ name: s.name, live: s.live, peers: tracker.stats(s.name).peers })),
      }),
    },
    signInByLink: (req, res, token) => web.signInByLink(req, res, token),
    api: createRequestHandler(api, web),
  });
}

export interface NodeListener {
  http: HttpServer | HttpsServer;
  /** every open signalling, viewer and tracker WebSocket */
  sockets: Set<WebSocket>;
  wss: WebSocketServer;
  peerWss: WebSocketServer;
  stopTlsWatch: () => void;
}

/**
 * The HTTP(S) server with the signalling and tracker upgrades, listening on `host:port`. Throws when the
 * certificate cannot be loaded or the port cannot be bound, with nothing left open.
 */
export async function openNodeListener(
  parts: NodeParts,
  router: RequestListener,
  o: {
    host: string;
    port: number;
    tls: TlsFiles | undefined;
    tuning: ServerTuning;
    /** take the client's address from X-Forwarded-For (behind a proxy that always sets it) */
    trustProxy: boolean;
    closing: () => boolean;
  },
): Promise<NodeListener> {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: SIGNAL_MAX_BYTES });
  // Twice the parse limit, so an oversized tracker message is refused with a readable 400 error rather
  // than a bare close; beyond that the socket is closed (1009).
  const peerWss = new WebSocketServer({ noServer: true, maxPayload: 2 * SIGNAL_MAX_BYTES });
  let http: HttpServer | HttpsServer;
  let stopTlsWatch = (): void => {};
  const handler = withRequestDeadlines(router, o.tuning);
  const checking = { connectionsCheckingInterval: connectionsCheckingInterval(o.tuning) };
  if (o.tls) {
    const https = createHttpsServer({ ...loadTlsPair(o.tls), ...checking }, handler);
    stopTlsWatch = watchTlsFiles(https, o.tls, o.tuning.tlsReloadPollMs, parts.hub.log);
    http = https;
  } else {
    http = createServer(checking, handler);
  }
  applyServerDeadlines(http, o.tuning);
  http.on(
    'upgrade',
    createUpgradeHandler({
      hub: parts.hub,
      wss,
      peerWss,
      authenticator: parts.authenticator,
      appById: (appid) => parts.hub.accounts.app(appid),
      sockets,
      closing: o.closing,
      acceptPeer: (ws, app, requestHost, address) => parts.tracker.accept(ws, app, requestHost, address),
      clientAddress: (req) => clientAddress(req, o.trustProxy),
      signedHost: (req) => signedHostOf(req.headers, o.trustProxy),
    }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(o.port, o.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    stopTlsWatch();
    throw err;
  }
  return { http, sockets, wss, peerWss, stopTlsWatch };
}

/** Close code for sockets ended by close() (RFC 6455 §7.4.1: going away). */
const CLOSE_GOING_AWAY = 1001;

/** Closes politely (1001) and terminates whatever has not finished the handshake after `graceMs`. */
export function closeSocket(ws: WebSocket, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(CLOSE_GOING_AWAY, 'server shutting down');
  });
}
