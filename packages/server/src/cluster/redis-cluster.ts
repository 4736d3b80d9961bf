/**
 * The cluster on Redis (ioredis). State is small and self-expiring:
 * - `xp2p:device:<productId>/<deviceName>` → `{"node","version"}` with a TTL, refreshed by the node that
 *   holds the device's socket; a dead node's devices vanish within the TTL on their own.
 * - one pub/sub channel per node, `xp2p:node:<nodeId>`, carrying BusMessages addressed to it.
 * - `xp2p:stream:<name>` → StreamLocation of a 1vN stream published on a node (TTL, refreshed).
 * - `xp2p:swarm:<name>:<node>` hash peerId → "1"/"0" (uploads), and the set `xp2p:swarm-nodes:<name>` of
 *   nodes with peers of that stream (both TTL, rewritten by each node's refresh).
 * - `xp2p:swarm-figures:<name>` hash node → JSON SwarmFigures with a write time (stale entries ignored).
 * - `xp2p:nonce:<appKey>:<nonce>` (SET NX with the signature window as TTL): the cluster's replay cache.
 * Redis down: commands fail fast (no offline queue, so nothing piles up in memory), callers refuse remote
 * work with 503, local sessions go on, `ready()` is false; ioredis reconnects with a capped back-off and we
 * write the presence of every local device again as soon as it is back. Nothing here ever exits the process.
 */
import { Redis } from 'ioredis';
import { parseBusMessage } from './bus-schema.js';
import type { ServerTuning } from '../defaults.js';
import type { BusMessage, Cluster, StreamLocation } from './cluster.js';
import { DELETE_IF_OWNER, nodeChannel, nonceKey, streamKey, swarmKey } from './redis-keys.js';
import { guard, presenceValue, type RedisNode } from './redis-node.js';
import { redisPresence } from './redis-presence.js';
import { redisSwarms, writeSwarm } from './redis-swarms.js';

export interface RedisClusterOptions {
  url: string;
  nodeId: string;
  log: (line: string) => void;
  /** presence TTL and refresh, Redis connect and back-off, error-log period, close bound */
  tuning: Pick<
    ServerTuning,
    | 'presenceTtlMs'
    | 'presenceRefreshMs'
    | 'redisConnectTimeoutMs'
    | 'redisRetryStepMs'
    | 'redisRetryMaxMs'
    | 'clusterErrorLogIntervalMs'
    | 'clusterCloseTimeoutMs'
  >;
  /** counts messages for /metrics */
  onBusMessage?: (direction: 'in' | 'out') => void;
}

function clientOptions(tuning: RedisClusterOptions['tuning']) {
  return {
    // Reconnect back-off: quick at first, then at most every redisRetryMaxMs, forever (never a crash loop).
    retryStrategy: (attempt: number): number => Math.min(tuning.redisRetryStepMs * attempt, tuning.redisRetryMaxMs),
    connectTimeout: tuning.redisConnectTimeoutMs,
    maxRetriesPerRequest: 1,
  } as const;
}

export function connectRedisCluster(options: RedisClusterOptions): Cluster {
  const { nodeId, log, tuning } = options;
  const common = clientOptions(tuning);
  const cmd = new Redis(options.url, { ...common, enableOfflineQueue: false });
  // The subscriber queues its SUBSCRIBE until connected; ioredis re-subscribes after every reconnect.
  const sub = new Redis(options.url, { ...common, enableOfflineQueue: true });
  const handlers: ((message: BusMessage) => void)[] = [];
  let wasReady = false;
  let lastErrorLog = 0;
  let closed = false;

  const ready = (): boolean => !closed && cmd.status === 'ready' && sub.status === 'ready';
  const onError = (err: Error): void => {
    // ioredis emits an error per failed reconnect: log the first and then at most once per period.
    const now = Date.now();
    if (now - lastErrorLog > tuning.clusterErrorLogIntervalMs) {
      lastErrorLog = now;
      log(`cluster: redis unreachable (${err.message}); serving local state, retrying`);
    }
  };
  const send = async (node: string, message: BusMessage): Promise<boolean> => {
    if (cmd.status !== 'ready') return false;
    try {
      options.onBusMessage?.('out');
      return (await cmd.publish(nodeChannel(node), JSON.stringify(message))) > 0;
    } catch (err) {
      onError(err as Error);
      return false;
    }
  };
  const node: RedisNode = {
    cmd,
    nodeId,
    ttl: tuning.presenceTtlMs,
    ownerMark: `"node":${JSON.stringify(nodeId)}`,
    local: new Map(),
    localStreams: new Map<string, StreamLocation>(),
    localSwarms: new Map(),
    onError,
    send,
  };
  const { local, localStreams, localSwarms, ttl } = node;

  cmd.on('error', onError);
  sub.on('error', onError);
  const onStatus = (): void => {
    const isReady = ready();
    if (isReady && !wasReady) {
      log(`cluster: redis ready, node ${nodeId}`);
      refresh();
    } else if (!isReady && wasReady && !closed) {
      log('cluster: redis connection down, node not ready');
    }
    wasReady = isReady;
  };
  for (const client of [cmd, sub]) for (const event of ['ready', 'close', 'end']) client.on(event, onStatus);

  sub.on('message', (_channel: string, text: string) => {
    const parsed = parseBusMessage(text);
    if (!parsed.ok) return log(`cluster: dropped a malformed message (${parsed.error.slice(0, 200)})`);
    const message = parsed.message;
    options.onBusMessage?.('in');
    for (const handler of handlers) handler(message);
  });
  sub.subscribe(nodeChannel(nodeId)).catch((err: Error) => onError(err));

  /** Rewrites every local device's presence, stream and swarm membership, with a fresh TTL. */
  function refresh(): void {
    if (cmd.status !== 'ready') return;
    if (local.size + localStreams.size + localSwarms.size === 0) return;
    const batch = cmd.multi();
    for (const [key, version] of local) batch.set(key, presenceValue(node, version), 'PX', ttl);
    for (const [name, location] of localStreams) batch.set(streamKey(name), JSON.stringify(location), 'PX', ttl);
    for (const [stream, peers] of localSwarms) writeSwarm(node, batch, stream, peers);
    batch.exec().catch(onError);
  }
  const refreshTimer = setInterval(refresh, tuning.presenceRefreshMs);
  refreshTimer.unref();

  return {
    nodeId,
    enabled: true,
    ready,
    ...redisPresence(node),
    ...redisSwarms(node),
    claimNonce: (key, ttlMs) =>
      guard(node, async () => (await cmd.set(nonceKey(key), '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK'),
    send,
    onMessage(handler) {
      handlers.push(handler);
    },
    async close() {
      if (closed) return;
      clearInterval(refreshTimer);
      // Our devices' sockets are closed by now; drop whatever presence is left so others see them offline
      // at once rather than after the TTL. Bounded: with redis down this must not hold up the exit.
      if (cmd.status === 'ready' && local.size + localStreams.size + localSwarms.size > 0) {
        const keys = [...local.keys(), ...[...localStreams.keys()].map(streamKey)];
        const drops = Promise.all([
          ...keys.map((k) => cmd.eval(DELETE_IF_OWNER, 1, k, node.ownerMark)),
          ...[...localSwarms.keys()].map((s) => cmd.del(swarmKey(s, nodeId))),
        ]).catch(() => {});
        await Promise.race([drops, new Promise((r) => setTimeout(r, tuning.clusterCloseTimeoutMs).unref())]);
      }
      closed = true;
      local.clear();
      localStreams.clear();
      localSwarms.clear();
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
