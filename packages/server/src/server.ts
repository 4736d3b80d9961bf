/**
 * `startServer`: one Node HTTP(S) server carrying the API, the signalling WebSockets, the 1vN origin
 * (`/live/...`) and tracker (`/signal/peer`), the operator endpoints and the web app, plus the STUN Binding
 * service on UDP, all on the same host. With `redis` it joins a cluster of such nodes.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { isLoopbackHost, type IceServer } from '@xp2p/protocol';
import { parseConfig, type XP2PConfig } from './config/schema.js';
import { SERVER_DEFAULTS, type ServerTuning } from './defaults.js';
import { ConfigError } from './errors.js';
import { closeSocket, createNodeRouter, openNodeListener, type NodeListener } from './node-http.js';
import { assembleNodeParts, type NodeParts } from './node-parts.js';
import type { Origin } from './origin/origin.js';
import { createLog } from './ops/logger.js';
import { presence, type DeviceStatus } from './signal/presence.js';
import { AccountStore } from './accounts/account-store.js';
import { AuditLog } from './accounts/audit-log.js';
import { WebSessions } from './accounts/web-sessions.js';
import { importConfigAccounts } from './accounts/import-config.js';
import { startRevocationSweep } from './signal/revocation.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { ADMIN_SOCKET, listenAdminSocket } from './admin/admin-socket.js';
import { join } from 'node:path';
import { advertisedStunUrls, type StunAdvertisement } from './stun/advertised-stun.js';
import { startStunServer } from './stun/stun-server.js';
import type { TlsFiles } from './tls/tls-files.js';
import { SERVER_VERSION } from './version.js';

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
  /**
   * STUN URLs handed to cameras and viewers (stun:host:port); default: config.server.iceServers, else
   * stun:<publicUrl's host>:<stunPort>, else the listen host when routable (stun/advertised-stun.ts)
   */
  iceServers?: string[];
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
  /** the data directory the embedded database lives in (and the operator's admin socket) */
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
   * A one-time link that signs a browser in to the web app as `user` (valid once, for
   * tuning.signInTokenTtlSeconds): what `xp2p demo` prints on its `web:` line.
   */
  signInLink(user: string): Promise<string>;
  /**
   * The 1vN origin, for in-process publishing: `const pub = server.origin.openPublisher('room');
   * pub.push(tag); …; pub.end()`, or `publishTags(name, tags)`, or `startPull(name, httpFlvUrl)`.
   */
  origin: Origin;
}

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
    ...startRelayTuning(config.server.startRelay),
    ...options.tuning,
    ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
  });

  const { accounts, audit, closeDatabase } = await openAccounts(options, config);
  const { stun, stunUrls } = await startNodeStun(options, config, host, tuning, log).catch(async (err: unknown) => {
    await closeDatabase();
    throw err;
  });
  const state = { url: '', listening: false, closing: false };
  const parts = assembleNodeParts({
    config,
    tuning,
    nodeId,
    log,
    redis: options.redis,
    clusterUrl: () => options.clusterUrl ?? state.url,
    stunServers: (requestHost) => stunUrls(requestHost).map((urls): IceServer => ({ urls })),
    accounts,
    audit,
  });
  const { cluster, heartbeat, origin, registry } = parts;
  const readiness = (): { ready: boolean; reasons: string[] } => {
    const reasons: string[] = [];
    if (!state.listening) reasons.push('not listening');
    if (state.closing) reasons.push('draining');
    if (!cluster.ready()) reasons.push('cluster store (redis) unreachable');
    return { ready: reasons.length === 0, reasons };
  };
  const webSessions = new WebSessions(accounts.db);
  const router = createNodeRouter(parts, {
    sessions: webSessions,
    secureCookies: behindTls,
    config,
    tuning,
    nodeId,
    log,
    readiness,
    webRoot: options.webRoot,
    publicUrl: options.publicUrl,
    trustProxy: options.trustProxy ?? false,
    ownUrl: () => state.url,
    listenHost: host,
    stunUrls,
  });
  let listener: NodeListener;
  try {
    listener = await openNodeListener(parts, router, {
      host,
      port: options.port ?? config.server.port,
      tls: options.tls,
      tuning,
      trustProxy: options.trustProxy ?? false,
      closing: () => state.closing,
    });
  } catch (err) {
    await Promise.all([stun.close(), cluster.close(), closeDatabase()]);
    throw err;
  }
  state.listening = true;
  const stopRevocation = startRevocationSweep(parts.hub);
  // The operator's socket (xp2p app|device|user|share …) lives where the embedded database does.
  const admin = options.dataDir
    ? await listenAdminSocket(join(options.dataDir, ADMIN_SOCKET), { accounts, audit }, log)
    : undefined;
  const address = listener.http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  state.url = `${options.tls ? 'https' : 'http'}://${hostForUrl(host)}:${port}`;
  heartbeat.start();
  log(
    `xp2p server ${SERVER_VERSION} listening on ${state.url} (STUN udp ${stun.port}${cluster.enabled ? `, cluster node ${nodeId}` : ''})`,
  );
  logAdvertisedStun(stunUrls(), host, log);

  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    state.closing = true; // from here: upgrades get 503, /readyz says "draining"
    stopRevocation();
    await closeNode(parts, listener, tuning, log);
    state.listening = false;
    await Promise.all([stun.close(), cluster.close(), admin?.close()]);
    await audit.flush().catch((err: unknown) => log(`audit write failed: ${(err as Error).message}`));
    await closeDatabase();
    log('xp2p server stopped');
  };

  return {
    url: state.url,
    nodeId,
    ready: () => readiness().ready,
    port,
    stunPort: stun.port,
    close: () => (closed ??= close()),
    presence: async () => presence(await accounts.devices(), registry),
    accounts,
    audit,
    signInLink: async (user) =>
      `${state.url}/?token=${await webSessions.issueSignInToken(user, tuning.signInTokenTtlSeconds)}`,
    origin,
  };
}

/** The node's STUN server and the STUN URLs it advertises to a client that reached it by a given host. */
async function startNodeStun(
  options: StartServerOptions,
  config: XP2PConfig,
  host: string,
  tuning: ServerTuning,
  log: (line: string) => void,
): Promise<{ stun: Awaited<ReturnType<typeof startStunServer>>; stunUrls: (requestHost?: string) => string[] }> {
  const stun = await startStunServer(host, options.stunPort ?? config.server.stunPort, log, {
    burstPerAddress: tuning.stunBurstPerAddress,
    perSecondPerAddress: tuning.stunPerSecondPerAddress,
  });
  const advert: StunAdvertisement = {
    configured: options.iceServers ?? config.server.iceServers,
    publicUrl: options.publicUrl,
    listenHost: host,
    stunPort: stun.port,
  };
  return { stun, stunUrls: (requestHost) => advertisedStunUrls(advert, requestHost) };
}

/** Says which STUN URLs clients are given, or why they get the host they reached us by. */
function logAdvertisedStun(advertised: string[], host: string, log: (line: string) => void): void {
  log(
    advertised.length > 0
      ? `advertising STUN ${advertised.join(', ')}`
      : `advertising STUN at the host each client used to reach this server: ${host} is not an address clients ` +
          `can reach (set server.publicUrl or server.iceServers to advertise a fixed name)`,
  );
}

/**
 * The accounts database (opened here unless the caller passed one) with the config's apps and devices added
 * to it, and the function that closes it again (a no-op for the caller's own database).
 */
async function openAccounts(
  options: StartServerOptions,
  config: XP2PConfig,
): Promise<{ accounts: AccountStore; audit: AuditLog; closeDatabase: () => Promise<void> }> {
  const database = options.database ?? (await openDatabase({ url: options.db, dataDir: options.dataDir }));
  const closeDatabase = options.database ? async () => {} : () => database.close();
  try {
    await importConfigAccounts(database, config.apps, config.devices);
  } catch (err) {
    await closeDatabase();
    throw err;
  }
  return { accounts: new AccountStore(database), audit: new AuditLog(database), closeDatabase };
}

/**
 * The drain (CLOSE-CASCADE.md): streams end first, so HTTP-FLV viewers, feeds and peers all get eof before
 * their sockets go; then every socket is closed politely, all within tuning.drainTimeoutMs; then the listener.
 */
async function closeNode(
  parts: NodeParts,
  listener: NodeListener,
  tuning: ServerTuning,
  log: (line: string) => void,
): Promise<void> {
  const { sockets } = listener;
  parts.heartbeat.stop();
  listener.stopTlsWatch();
  const drain = async (): Promise<void> => {
    parts.mirrors.close();
    parts.pulls.close();
    parts.cameraStreams.close();
    await parts.origin.close();
    parts.tracker.close();
    parts.federation?.close();
    await Promise.all([...sockets].map((ws) => closeSocket(ws, tuning.closeGraceMs)));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), tuning.drainTimeoutMs)),
  );
  if ((await Promise.race([drain(), bound])) === 'timeout') {
    log(`drain took over ${tuning.drainTimeoutMs} ms, cutting ${sockets.size} remaining connection(s)`);
    for (const ws of sockets) ws.terminate();
  }
  clearTimeout(timer);
  listener.wss.close();
  listener.peerWss.close();
  await new Promise<void>((resolve) => {
    listener.http.close(() => resolve());
    listener.http.closeAllConnections();
  });
}

/** The config file's relay-first start limits (`server.startRelay`) as tuning; the defaults where unset. */
function startRelayTuning(relay: XP2PConfig['server']['startRelay']): Partial<ServerTuning> {
  return {
    ...(relay?.maxBytes !== undefined ? { startRelayMaxBytes: relay.maxBytes } : {}),
    ...(relay?.maxMs !== undefined ? { startRelayMaxMs: relay.maxMs } : {}),
  };
}
