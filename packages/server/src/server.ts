/**
 * `startServer`: one Node HTTP server carrying the API, the signalling WebSockets, the 1vN origin
 * (`/live/...`) and tracker (`/signal/peer`), plus the STUN Binding service on UDP, all on the same host.
 */
import { createServer } from 'node:http';
import { isIPv6 } from 'node:net';
import { SIGNAL_MAX_BYTES, type IceServer } from '@xp2p/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppAuthenticator } from './auth/app-authenticator.js';
import { NonceCache } from './auth/nonce-cache.js';
import { parseConfig, type XP2PConfig } from './config/schema.js';
import { SERVER_DEFAULTS, type ServerTuning } from './defaults.js';
import { ConfigError } from './errors.js';
import { createRequestHandler } from './http/api.js';
import { createRouter } from './http/router.js';
import { Origin } from './origin/origin.js';
import { Heartbeat } from './signal/heartbeat.js';
import { deviceDirectory, type Hub } from './signal/hub.js';
import { presence, type DeviceStatus } from './signal/presence.js';
import { SignalRegistry } from './signal/registry.js';
import { createUpgradeHandler } from './signal/upgrade.js';
import { startStunServer } from './stun/stun-server.js';
import { turnIceServer } from './turn/credentials.js';
import { Tracker } from './tracker/tracker.js';

export interface StartServerOptions {
  config: XP2PConfig;
  /** defaults to config.server.host */
  host?: string;
  /** defaults to config.server.port; 0 picks a free port */
  port?: number;
  /** defaults to config.server.stunPort; 0 picks a free port */
  stunPort?: number;
  /** receives one human-readable line per event (device online, session opened, ...) */
  log?: (line: string) => void;
  /** lifetime of the viewer tokens inside issued xp2pInfo; default SERVER_DEFAULTS.tokenTtlSeconds */
  tokenTtlSeconds?: number;
  /** limits and timings, see SERVER_DEFAULTS */
  tuning?: Partial<ServerTuning>;
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  stunPort: number;
  /** ends every socket and timer; resolves when all are gone */
  close(): Promise<void>;
  presence(): DeviceStatus[];
  /**
   * The 1vN origin, for in-process publishing: `const pub = server.origin.openPublisher('room');
   * pub.push(tag); …; pub.end()`, or `publishTags(name, tags)`, or `startPull(name, httpFlvUrl)`.
   */
  origin: Origin;
}

/** Close code for sockets ended by close() (RFC 6455 §7.4.1: going away). */
const CLOSE_GOING_AWAY = 1001;

const hostForUrl = (host: string): string => (isIPv6(host) ? `[${host}]` : host);

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const checked = parseConfig(options.config);
  if (!checked.ok) throw new ConfigError(`invalid config: ${checked.error}`);
  const config = checked.config;
  const host = options.host ?? config.server.host;
  const log = options.log ?? (() => {});
  const tuning: ServerTuning = Object.freeze({
    ...SERVER_DEFAULTS,
    ...options.tuning,
    ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
  });

  const stun = await startStunServer(host, options.stunPort ?? config.server.stunPort, log);
  let stunServers: IceServer[] = [];
  let url = '';
  let closing = false;

  const heartbeat = new Heartbeat(tuning.heartbeatIntervalMs, tuning.heartbeatMissesAllowed);
  const registry = new SignalRegistry();
  const hub: Hub = {
    registry,
    tuning,
    heartbeat,
    log,
    iceServers: (principal) =>
      config.turn
        ? [
            ...stunServers,
            // REST usernames are "<expiry>:<user>", so the principal must not carry a ':'
            turnIceServer(
              config.turn.urls,
              config.turn.secret,
              principal.replace(/[:\s]/g, '_'),
              config.turn.ttlSeconds,
            ),
          ]
        : stunServers,
    findDevice: deviceDirectory(config.devices),
  };
  const authenticator = new AppAuthenticator(config.apps, new NonceCache(tuning.maxRememberedNonces));
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: SIGNAL_MAX_BYTES });
  // Twice the parse limit, so an oversized tracker message is refused with a readable 400 error rather
  // than a bare close; beyond that the socket is closed (1009).
  const peerWss = new WebSocketServer({ noServer: true, maxPayload: 2 * SIGNAL_MAX_BYTES });
  const origin = new Origin(tuning, log);
  const tracker = new Tracker(hub, origin);
  const http = createServer(
    createRouter({
      live: { origin, publishKey: config.publishKey, tuning, log },
      tracker,
      api: createRequestHandler({ hub, authenticator, devices: config.devices, url: () => url }),
    }),
  );
  // A publish is one request that lasts as long as the stream: no deadline on receiving a request body.
  // (headersTimeout still bounds slow headers.)
  http.requestTimeout = 0;
  http.on(
    'upgrade',
    createUpgradeHandler({
      hub,
      wss,
      peerWss,
      authenticator,
      sockets,
      closing: () => closing,
      acceptPeer: (ws, app) => tracker.accept(ws, app),
    }),
  );

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? config.server.port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await stun.close();
    throw err;
  }
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  url = `http://${hostForUrl(host)}:${port}`;
  stunServers = [{ urls: `stun:${hostForUrl(host)}:${stun.port}` }];
  heartbeat.start();
  log(`xp2p server listening on ${url} (STUN udp ${stun.port})`);

  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    closing = true;
    heartbeat.stop();
    // First the streams end, so HTTP-FLV viewers, feeds and peers all get eof before their sockets go.
    await origin.close();
    tracker.close();
    await Promise.all([...sockets].map((ws) => closeSocket(ws, tuning.closeGraceMs)));
    wss.close();
    peerWss.close();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    await stun.close();
    log('xp2p server stopped');
  };

  return {
    url,
    port,
    stunPort: stun.port,
    close: () => (closed ??= close()),
    presence: () => presence(config.devices, registry),
    origin,
  };
}

/** Closes politely (1001) and terminates whatever has not finished the handshake after `graceMs`. */
function closeSocket(ws: WebSocket, graceMs: number): Promise<void> {
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
