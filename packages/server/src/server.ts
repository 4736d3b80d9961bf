/**
 * `startServer`: one Node HTTP(S) server carrying the API, the signalling WebSockets, the 1vN origin
 * (`/live/...`) and tracker (`/signal/peer`), the operator endpoints and the web app, plus the STUN Binding
 * service on UDP, all on the same host. With `redis` it joins a cluster of such nodes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { isLoopbackHost, SIGNAL_MAX_BYTES, type IceServer } from '@xp2p/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppAuthenticator } from './auth/app-authenticator.js';
import { NonceCache } from './auth/nonce-cache.js';
import { parseConfig, type XP2PConfig } from './config/schema.js';
import { SERVER_DEFAULTS, type ServerTuning } from './defaults.js';
import { ConfigError } from './errors.js';
import { createRequestHandler } from './http/api.js';
import { createRouter } from './http/router.js';
import { applyServerDeadlines, connectionsCheckingInterval, withRequestDeadlines } from './http/deadlines.js';
import { ReaderBudget } from './origin/reader-budget.js';
import { Origin } from './origin/origin.js';
import { Heartbeat } from './signal/heartbeat.js';
import type { Hub } from './signal/hub.js';
import { AccountStore } from './accounts/account-store.js';
import { AuditLog } from './accounts/audit-log.js';
import { importConfigAccounts } from './accounts/import-config.js';
import { startRevocationSweep } from './accounts/revocation.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { ADMIN_SOCKET, listenAdminSocket } from './admin/admin-socket.js';
import { join } from 'node:path';
import { presence, type DeviceStatus } from './signal/presence.js';
import { SignalRegistry } from './signal/registry.js';
import { createUpgradeHandler } from './signal/upgrade.js';
import { startStunServer } from './stun/stun-server.js';
import { turnIceServer } from './turn/credentials.js';
import { Tracker } from './tracker/tracker.js';
import { standaloneCluster, type Cluster } from './cluster/cluster.js';
import { connectRedisCluster } from './cluster/redis-cluster.js';
import { handleBusMessage } from './cluster/remote-ends.js';
import { StreamMirrors } from './cluster/stream-mirror.js';
import { PulledStreams, withPulls } from './origin/pulled-streams.js';
import { ClusterSwarmFederation } from './cluster/swarm-federation.js';
import { noFederation } from './tracker/federation.js';
import { clientAddress, publicUrlResolver } from './http/public-url.js';
import { createLog } from './ops/logger.js';
import { ServerMetrics } from './ops/metrics.js';
import { closeReplacedDevice } from './signal/device-endpoint.js';
import { clusterPresence } from './signal/presence.js';
import { loadTlsPair, watchTlsFiles, type TlsFiles } from './tls/tls-files.js';
import { SERVER_VERSION } from './version.js';
import { staticFiles } from './web/static-files.js';

/** Options of {@link startServer}: the config, where to listen, TLS, cluster and logging. */
export interface StartServerOptions {
  config: XP2PConfig;
  /** defaults to config.server.host */
  host?: string;
  /** defaults to config.server.port; 0 picks a free port */
  port?: number;
  /** defaults to config.server.stunPort; 0 picks a free port */
  stunPort?: number;
  /** receives one human-readable line per event (device online, session opened, ...); secrets scrubbed */
  log?: (line: string) => void;
  /** also (or instead) send every event to this pino logger, leveled, as structured JSON */
  logger?: Logger;
  /** serve the web app's files from this directory at `/`; without it `/` is a status page */
  webRoot?: string;
  /** serve HTTPS and WSS with this certificate and key (PEM files, reloaded when they change) */
  tls?: TlsFiles;
  /** the base URL put into xp2pInfo when clients reach this node through a proxy (e.g. https://cam.example.com) */
  publicUrl?: string;
  /** take the xp2pInfo base URL from X-Forwarded-Proto/-Host (only behind a proxy that always sets them) */
  trustProxy?: boolean;
  /** join a cluster through this Redis (redis://host:port); default: alone, all state in memory */
  redis?: string;
  /** this node's id in the cluster; default random */
  nodeId?: string;
  /**
   * The base URL other nodes use to fetch this node's 1vN streams (cluster); default its listening URL.
   * Set it when listening on 0.0.0.0 or behind NAT, e.g. http://10.0.0.5:18080.
   */
  clusterUrl?: string;
  /** lifetime of the viewer tokens inside issued xp2pInfo; default SERVER_DEFAULTS.tokenTtlSeconds */
  tokenTtlSeconds?: number;
  /** limits and timings, see SERVER_DEFAULTS */
  tuning?: Partial<ServerTuning>;
  /**
   * The accounts database: a postgres:// URL (PostgreSQL, shared by cluster nodes); default embedded PGlite
   * in `<dataDir>/db`, or in memory without `dataDir`. `config.apps`/`config.devices` are added to it
   * (once: existing rows are kept).
   */
  db?: string;
  /** the data directory the embedded database lives in */
  dataDir?: string;
  /** an accounts database already open (the caller closes it); overrides `db`/`dataDir` */
  database?: Database;
  /** 1vN streams pulled from a source on demand (name → URL), besides the config's `pulls` */
  pulls?: Record<string, string>;
  /**
   * Serve plain HTTP on an address other machines reach. Refused without it (ConfigError) unless TLS is
   * on or `publicUrl` is https (a TLS proxy in front): signalling in the clear can be rewritten on the path.
   */
  insecure?: boolean;
}

/** A running server node: its URL, origin, metrics and `close()`. */
export interface RunningServer {
  /** http://host:port (https:// with tls) */
  url: string;
  /** this node's id (in the cluster's Redis keys and channels) */
  nodeId: string;
  /** listening, not draining, and (in a cluster) Redis reachable */
  ready(): boolean;
  port: number;
  stunPort: number;
  /**
   * Drains and stops: refuses new connections and reports not-ready at once, ends live streams (viewers
   * get eof), closes every WebSocket with 1001 "server shutting down", then the listeners and the cluster.
   * Resolves when all are gone, within tuning.drainTimeoutMs (what is left then is cut).
   */
  close(): Promise<void>;
  /** every registered camera and whether it is online (on this node or, in a cluster, any) */
  presence(): Promise<DeviceStatus[]>;
  /** the accounts database (apps, devices, users, roles) and the audit log */
  accounts: AccountStore;
  audit: AuditLog;
  /**
   * The 1vN origin, for in-process publishing: `const pub = server.origin.openPublisher('room');
   * pub.push(tag); …; pub.end()`, or `publishTags(name, tags)`, or `startPull(name, httpFlvUrl)`.
   */
  origin: Origin;
}

/** Close code for sockets ended by close() (RFC 6455 §7.4.1: going away). */
const CLOSE_GOING_AWAY = 1001;

const hostForUrl = (host: string): string => (isIPv6(host) ? `[${host}]` : host);

/** Starts one server node: HTTP(S) and WebSocket signalling, the xp2pInfo API, the 1vN origin and tracker, STUN, metrics; joins a Redis cluster with `redis`. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  // --pull streams are checked by the config's rules, like those of the file
  const pulls = options.pulls ? { pulls: { ...options.config.pulls, ...options.pulls } } : {};
  const checked = parseConfig({ ...options.config, ...pulls });
  if (!checked.ok) throw new ConfigError(`invalid config: ${checked.error}`);
  const config = checked.config;
  const host = options.host ?? config.server.host;
  const behindTls = options.tls !== undefined || options.publicUrl?.startsWith('https://') === true;
  if (!behindTls && !isLoopbackHost(host) && !options.insecure) {
    throw new ConfigError(
      `refusing plaintext HTTP on ${host}, which other machines reach: give --tls-cert/--tls-key, ` +
        'an https --public-url (a TLS proxy in front), or --insecure',
    );
  }
  const log = createLog({ sink: options.log, logger: options.logger });
  const nodeId = options.nodeId ?? randomBytes(6).toString('hex');
  const tuning: ServerTuning = Object.freeze({
    ...SERVER_DEFAULTS,
    ...options.tuning,
    ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
  });

  const database = options.database ?? (await openDatabase({ url: options.db, dataDir: options.dataDir }));
  const closeDatabase = options.database ? async () => {} : () => database.close();
  const accounts = new AccountStore(database);
  const audit = new AuditLog(database);
  try {
    await importConfigAccounts(database, config.apps, config.devices);
  } catch (err) {
    await closeDatabase();
    throw err;
  }

  const stun = await startStunServer(host, options.stunPort ?? config.server.stunPort, log, {
    burstPerAddress: tuning.stunBurstPerAddress,
    perSecondPerAddress: tuning.stunPerSecondPerAddress,
  });
  let stunServers: IceServer[] = [];
  let url = '';
  let closing = false;

  let listening = false;

  const heartbeat = new Heartbeat(tuning.heartbeatIntervalMs, tuning.heartbeatMissesAllowed);
  const registry = new SignalRegistry();
  const origin = new Origin(tuning, log);
  // Late-bound: the metrics read the tracker, which needs the hub, which needs the metrics.
  const late: { tracker?: Tracker } = {};
  const metrics = new ServerMetrics({
    camerasOnline: () => registry.deviceCount,
    sessions: () => registry.sessionCount,
    trackerPeers: () => late.tracker?.peerCount() ?? 0,
    streamBytes: () => {
      const sum = { p2p: 0, cdn: 0, upload: 0 };
      for (const name of late.tracker?.swarmNames() ?? []) {
        const s = late.tracker!.stats(name);
        sum.p2p += s.p2pBytes;
        sum.cdn += s.cdnBytes;
        sum.upload += s.uploadBytes;
      }
      return sum;
    },
    clusterReady: () => (cluster.ready() ? 1 : 0),
  });
  const cluster: Cluster = options.redis
    ? connectRedisCluster({
        url: options.redis,
        nodeId,
        log,
        presenceTtlMs: tuning.presenceTtlMs,
        presenceRefreshMs: tuning.presenceRefreshMs,
        onBusMessage: (direction) => metrics.clusterMessage(direction),
      })
    : standaloneCluster(nodeId);
  const hub: Hub = {
    registry,
    tuning,
    heartbeat,
    log,
    metrics,
    cluster,
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
    findDevice: (productId, deviceName) => accounts.device(productId, deviceName),
    accounts,
    audit,
  };
  const stopRevocation = startRevocationSweep(hub);
  const authenticator = new AppAuthenticator(
    (appKey) => accounts.appByKey(appKey),
    new NonceCache(tuning.maxRememberedNonces, Date.now, tuning.maxRememberedNoncesPerApp),
    Date.now,
    cluster.enabled ? (key, ttlMs) => cluster.claimNonce(key, ttlMs) : undefined,
  );
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: SIGNAL_MAX_BYTES });
  // Twice the parse limit, so an oversized tracker message is refused with a readable 400 error rather
  // than a bare close; beyond that the socket is closed (1009).
  const peerWss = new WebSocketServer({ noServer: true, maxPayload: 2 * SIGNAL_MAX_BYTES });
  origin.onBytesSent((bytes) => metrics.originSent(bytes));
  // 1vN across nodes: streams published elsewhere are mirrored here on demand; swarms span the nodes.
  const mirrors = new StreamMirrors({
    cluster,
    origin,
    log,
    fetchTimeoutMs: tuning.clusterFetchTimeoutMs,
    idleMs: tuning.mirrorIdleMs,
    peersHere: (stream) => late.tracker?.stats(stream).peers ?? 0,
    onFetched: (bytes) => metrics.clusterFetched(bytes),
  });
  const federation = cluster.enabled
    ? new ClusterSwarmFederation(
        cluster,
        mirrors,
        (stream) => ({ ...late.tracker!.stats(stream), originBytes: origin.originBytes(stream) }),
        log,
      )
    : undefined;
  const pulledStreams = new PulledStreams({
    origin,
    sources: new Map(Object.entries(config.pulls ?? {})),
    idleMs: tuning.pullIdleMs,
    startTimeoutMs: tuning.pullStartTimeoutMs,
    retryMinMs: tuning.pullRetryMinMs,
    retryMaxMs: tuning.pullRetryMaxMs,
    maxTagBytes: tuning.publishMaxTagBytes,
    peersHere: (stream) => late.tracker?.stats(stream).peers ?? 0,
    log,
  });
  const tracker = new Tracker(hub, origin, withPulls(federation ?? noFederation, pulledStreams));
  late.tracker = tracker;
  cluster.onMessage((message) => {
    if (federation?.handle(tracker, message)) return;
    handleBusMessage(hub, message, (productId, deviceName) => closeReplacedDevice(hub, productId, deviceName));
  });
  // Streams published here (not mirrors) are registered, so other nodes can find and mirror them.
  origin.onEvent((name, event) => {
    const stream = origin.stream(name);
    if (!stream || stream.mirrorOf || !cluster.enabled) return;
    if (event.type === 'init') {
      cluster.streamPublished(name, { node: nodeId, url: options.clusterUrl ?? url, epoch: stream.epoch });
    } else if (event.type === 'eof') cluster.streamEnded(name);
  });
  const readiness = (): { ready: boolean; reasons: string[] } => {
    const reasons: string[] = [];
    if (!listening) reasons.push('not listening');
    if (closing) reasons.push('draining');
    if (!cluster.ready()) reasons.push('cluster store (redis) unreachable');
    return { ready: reasons.length === 0, reasons };
  };
  const router = createRouter({
    live: {
      origin,
      publishKey: config.publishKey,
      tuning,
      log,
      readers: new ReaderBudget(tuning.maxStreamReaders, tuning.streamReadersMaxBacklogBytes),
    },
    tracker,
    mirrors,
    pulls: pulledStreams,
    clusterStreams: cluster.enabled
      ? { figures: (stream) => cluster.swarmFigures(stream), published: (limit) => cluster.publishedStreams(limit) }
      : undefined,
    ops: {
      metrics,
      readiness,
      web: options.webRoot ? staticFiles(options.webRoot) : undefined,
      status: async () => ({
        version: SERVER_VERSION,
        node: nodeId,
        ready: readiness().ready,
        devices: await clusterPresence(await accounts.devices(), registry, cluster),
        streams: origin.streams().map((s) => ({ name: s.name, live: s.live, peers: tracker.stats(s.name).peers })),
      }),
    },
    api: createRequestHandler({
      hub,
      authenticator,
      url: publicUrlResolver({
        publicUrl: options.publicUrl,
        trustProxy: options.trustProxy ?? false,
        ownUrl: () => url,
      }),
    }),
  });
  let http: HttpServer | HttpsServer;
  let stopTlsWatch = (): void => {};
  try {
    const handler = withRequestDeadlines(router, tuning);
    const checking = { connectionsCheckingInterval: connectionsCheckingInterval(tuning) };
    if (options.tls) {
      const https = createHttpsServer({ ...loadTlsPair(options.tls), ...checking }, handler);
      stopTlsWatch = watchTlsFiles(https, options.tls, tuning.tlsReloadPollMs, log);
      http = https;
    } else {
      http = createServer(checking, handler);
    }
  } catch (err) {
    await Promise.all([stun.close(), cluster.close(), closeDatabase()]);
    stopRevocation();
    throw err;
  }
  applyServerDeadlines(http, tuning);
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
      clientAddress: (req) => clientAddress(req, options.trustProxy ?? false),
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
    stopTlsWatch();
    stopRevocation();
    await Promise.all([stun.close(), cluster.close(), closeDatabase()]);
    throw err;
  }
  listening = true;
  // The operator's socket (xp2p app|device|user|share …) lives where the embedded database does.
  const admin = options.dataDir
    ? await listenAdminSocket(join(options.dataDir, ADMIN_SOCKET), { accounts, audit }, log)
    : undefined;
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  url = `${options.tls ? 'https' : 'http'}://${hostForUrl(host)}:${port}`;
  stunServers = [{ urls: `stun:${hostForUrl(host)}:${stun.port}` }];
  heartbeat.start();
  log(
    `xp2p server ${SERVER_VERSION} listening on ${url} (STUN udp ${stun.port}${cluster.enabled ? `, cluster node ${nodeId}` : ''})`,
  );

  let closed: Promise<void> | undefined;
  const server = http;
  const drain = async (): Promise<void> => {
    // First the streams end, so HTTP-FLV viewers, feeds and peers all get eof before their sockets go.
    mirrors.close();
    pulledStreams.close();
    await origin.close();
    tracker.close();
    federation?.close();
    await Promise.all([...sockets].map((ws) => closeSocket(ws, tuning.closeGraceMs)));
  };
  const close = async (): Promise<void> => {
    closing = true; // from here: upgrades get 503, /readyz says "draining"
    heartbeat.stop();
    stopRevocation();
    stopTlsWatch();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), tuning.drainTimeoutMs)),
    );
    if ((await Promise.race([drain(), bound])) === 'timeout') {
      log(`drain took over ${tuning.drainTimeoutMs} ms, cutting ${sockets.size} remaining connection(s)`);
      for (const ws of sockets) ws.terminate();
    }
    clearTimeout(timer);
    wss.close();
    peerWss.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    listening = false;
    await Promise.all([stun.close(), cluster.close(), admin?.close()]);
    await audit.flush().catch((err: unknown) => log(`audit write failed: ${(err as Error).message}`));
    await closeDatabase();
    log('xp2p server stopped');
  };

  return {
    url,
    nodeId,
    ready: () => readiness().ready,
    port,
    stunPort: stun.port,
    close: () => (closed ??= close()),
    presence: async () => presence(await accounts.devices(), registry),
    accounts,
    audit,
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
