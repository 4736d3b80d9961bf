/**
 * The parts of one server node and how they are wired: metrics, the cluster adapter, the signal hub, the
 * app authenticator, the 1vN origin, its cross-node mirrors and federation, the tracker. No listener here:
 * server.ts puts the HTTP and STUN listeners around these parts, and closes everything in the order
 * CLOSE-CASCADE.md describes.
 */
import type { IceServer } from '@xp2p/protocol';
import { cachedAppLookup } from './auth/app-cache.js';
import { AppAuthenticator } from './auth/app-authenticator.js';
import { NonceCache } from './auth/nonce-cache.js';
import { standaloneCluster, type Cluster } from './cluster/cluster.js';
import { connectRedisCluster } from './cluster/redis-cluster.js';
import { StreamMirrors } from './cluster/stream-mirror.js';
import { ClusterSwarmFederation } from './tracker/cluster-federation.js';
import type { XP2PConfig } from './config/schema.js';
import type { ServerTuning } from './defaults.js';
import { ServerMetrics } from './ops/metrics.js';
import { Origin } from './origin/origin.js';
import { PulledStreams } from './origin/pulled-streams.js';
import { CameraStreams } from './origin/camera-streams.js';
import { closeReplacedDevice } from './signal/device-endpoint.js';
import { Heartbeat } from './signal/heartbeat.js';
import type { Hub } from './signal/hub.js';
import type { AccountStore } from './accounts/account-store.js';
import type { AuditLog } from './accounts/audit-log.js';
import { SignalRegistry } from './signal/registry.js';
import { handleBusMessage } from './signal/remote-ends.js';
import { noFederation, withPulls } from './tracker/federation.js';
import { Tracker } from './tracker/tracker.js';
import { turnIceServer } from './turn/credentials.js';

export interface NodePartsOptions {
  config: XP2PConfig;
  tuning: ServerTuning;
  nodeId: string;
  log: (line: string) => void;
  /** join a cluster through this Redis; without it the node runs alone */
  redis: string | undefined;
  /** the URL other nodes fetch this node's streams from; read when a stream starts (after listen) */
  clusterUrl: () => string;
  /** the STUN servers for a client that reached this node by `requestHost` (stun/advertised-stun.ts) */
  stunServers: (requestHost?: string) => IceServer[];
  /** apps, devices, users, roles (the accounts database) */
  accounts: AccountStore;
  audit: AuditLog;
}

export interface NodeParts {
  registry: SignalRegistry;
  heartbeat: Heartbeat;
  metrics: ServerMetrics;
  cluster: Cluster;
  hub: Hub;
  authenticator: AppAuthenticator;
  origin: Origin;
  mirrors: StreamMirrors;
  /** streams the origin pulls from a source while someone watches them */
  pulls: PulledStreams;
  /** full cameras' 1vN streams (1v1 → 1vN): who may publish them, and their end when nobody watches */
  cameraStreams: CameraStreams;
  federation: ClusterSwarmFederation | undefined;
  tracker: Tracker;
}

export function assembleNodeParts(o: NodePartsOptions): NodeParts {
  const { config, tuning, nodeId, log } = o;
  const registry = new SignalRegistry();
  const origin = new Origin(tuning, log, config.publishKey);
  // Late-bound: the metrics read the tracker, which needs the hub, which needs the metrics.
  const late: { tracker?: Tracker; cluster?: Cluster } = {};
  const metrics = nodeMetrics(registry, late);
  const cluster: Cluster = o.redis
    ? connectRedisCluster({
        url: o.redis,
        nodeId,
        log,
        tuning,
        onBusMessage: (direction) => metrics.clusterMessage(direction),
      })
    : standaloneCluster(nodeId);
  late.cluster = cluster;
  const hub: Hub = {
    registry,
    tuning,
    heartbeat: new Heartbeat(tuning.heartbeatIntervalMs, tuning.heartbeatMissesAllowed),
    log,
    metrics,
    cluster,
    iceServers: (principal, requestHost) =>
      config.turn
        ? [
            ...o.stunServers(requestHost),
            // REST usernames are "<expiry>:<user>", so the principal must not carry a ':'
            turnIceServer(
              config.turn.urls,
              config.turn.secret,
              principal.replace(/[:\s]/g, '_'),
              config.turn.ttlSeconds,
            ),
          ]
        : o.stunServers(requestHost),
    findDevice: (productId, deviceName) => o.accounts.device(productId, deviceName),
    accounts: o.accounts,
    audit: o.audit,
  };
  const authenticator = new AppAuthenticator(
    cachedAppLookup((appKey) => o.accounts.appByKey(appKey), { ttlMs: tuning.appCacheMs, maxEntries: 10_000 }),
    new NonceCache(tuning.maxRememberedNonces, Date.now, tuning.maxRememberedNoncesPerApp),
    Date.now,
    cluster.enabled ? (key, ttlMs) => cluster.claimNonce(key, ttlMs) : undefined,
  );
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
        tuning.swarmFiguresIntervalMs,
      )
    : undefined;
  const pulls = new PulledStreams({
    origin,
    sources: new Map(Object.entries(config.pulls ?? {})),
    idleMs: tuning.pullIdleMs,
    startTimeoutMs: tuning.pullStartTimeoutMs,
    retryMinMs: tuning.pullRetryMinMs,
    retryMaxMs: tuning.pullRetryMaxMs,
    killTimeoutMs: tuning.pullKillTimeoutMs,
    maxTagBytes: tuning.publishMaxTagBytes,
    peersHere: (stream) => late.tracker?.stats(stream).peers ?? 0,
    log,
  });
  const cameraStreams = new CameraStreams({
    origin,
    // the accounts database's cameras (a device removed there can no longer publish)
    deviceSecret: async (productId, deviceName) => (await hub.findDevice(productId, deviceName))?.secret,
    idleMs: tuning.cameraStreamIdleMs,
    peersHere: (stream) => late.tracker?.stats(stream).peers ?? 0,
    registry: metrics.registry,
    log,
  });
  const owners = streamOwners(hub, cameraStreams);
  const tracker = new Tracker(hub, origin, withPulls(federation ?? noFederation, pulls), owners);
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
      cluster.streamPublished(name, { node: nodeId, url: o.clusterUrl(), epoch: stream.epoch });
    } else if (event.type === 'eof') cluster.streamEnded(name);
  });
  return {
    registry,
    heartbeat: hub.heartbeat,
    metrics,
    cluster,
    hub,
    authenticator,
    origin,
    mirrors,
    pulls,
    cameraStreams,
    federation,
    tracker,
  };
}

function nodeMetrics(registry: SignalRegistry, late: { tracker?: Tracker; cluster?: Cluster }): ServerMetrics {
  return new ServerMetrics({
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
    clusterReady: () => (late.cluster?.ready() ? 1 : 0),
  });
}

/** Who may join a stream: its registered owner app, or for a full camera's stream the camera's own app. */
function streamOwners(hub: Hub, cameraStreams: CameraStreams): (stream: string) => Promise<string | undefined> {
  return async (stream) => {
    const registered = await hub.accounts.streams.owner(stream);
    if (registered !== undefined) return registered;
    const [productId, deviceName] = cameraStreams.publisherOf(stream)?.split('/') ?? [];
    return productId && deviceName ? (await hub.findDevice(productId, deviceName))?.appid : undefined;
  };
}
