/**
 * The cluster on Redis (ioredis). State is small and self-expiring:
 * - `xp2p:device:<productId>/<deviceName>` → `{"node","version"}` with a TTL, refreshed by the node that
 *   holds the device's socket; a dead node's devices vanish within the TTL on their own.
 * - one pub/sub channel per node, `xp2p:node:<nodeId>`, carrying BusMessages addressed to it.
 * Redis down: commands fail fast (no offline queue, so nothing piles up in memory), callers refuse remote
 * work with 503, local sessions go on, `ready()` is false; ioredis reconnects with a capped back-off and we
 * write the presence of every local device again as soon as it is back. Nothing here ever exits the process.
 */
import { Redis } from 'ioredis';
import { ClusterUnavailableError, type BusMessage, type Cluster, type DeviceLocation } from './cluster.js';

export interface RedisClusterOptions {
  url: string;
  nodeId: string;
  log: (line: string) => void;
  /** how long a device's presence outlives its node's last refresh */
  presenceTtlMs: number;
  /** how often a node rewrites the presence of its devices (well under the TTL) */
  presenceRefreshMs: number;
  /** counts messages for /metrics */
  onBusMessage?: (direction: 'in' | 'out') => void;
}

const PREFIX = 'xp2p:';
const deviceKeyOf = (productId: string, deviceName: string): string => `${PREFIX}device:${productId}/${deviceName}`;
const nodeChannel = (node: string): string => `${PREFIX}node:${node}`;
/** Deletes a presence key only if this node still owns it (another node may have taken the device over). */
const DELETE_IF_OWNER = `local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Reconnect back-off: quick at first, then at most every 2 s, forever (never a crash loop). */
const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 2_000);

function parseLocation(text: string | null): DeviceLocation | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<DeviceLocation>;
    return typeof v.node === 'string' && typeof v.version === 'string'
      ? { node: v.node, version: v.version }
      : undefined;
  } catch {
    return undefined;
  }
}

export function connectRedisCluster(options: RedisClusterOptions): Cluster {
  const { nodeId, log } = options;
  const common = { retryStrategy, connectTimeout: 2_000, maxRetriesPerRequest: 1 } as const;
  const cmd = new Redis(options.url, { ...common, enableOfflineQueue: false });
  // The subscriber queues its SUBSCRIBE until connected; ioredis re-subscribes after every reconnect.
  const sub = new Redis(options.url, { ...common, enableOfflineQueue: true });
  const handlers: ((message: BusMessage) => void)[] = [];
  const local = new Map<string, string>(); // presence key → version, of devices logged in here
  const ownerMark = `"node":${JSON.stringify(nodeId)}`;
  let wasReady = false;
  let lastErrorLog = 0;
  let closed = false;

  const ready = (): boolean => !closed && cmd.status === 'ready' && sub.status === 'ready';
  const presenceValue = (version: string): string => JSON.stringify({ node: nodeId, version });

  const onError = (err: Error): void => {
    // ioredis emits an error per failed reconnect: log the first and then at most every 10 s.
    const now = Date.now();
    if (now - lastErrorLog > 10_000) {
      lastErrorLog = now;
      log(`cluster: redis unreachable (${err.message}); serving local state, retrying`);
    }
  };
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
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return log('cluster: dropped a message that is not JSON');
    }
    options.onBusMessage?.('in');
    for (const handler of handlers) handler(message);
  });
  sub.subscribe(nodeChannel(nodeId)).catch((err: Error) => onError(err));

  /** Rewrites every local device's presence, with a fresh TTL. */
  function refresh(): void {
    if (cmd.status !== 'ready' || local.size === 0) return;
    const batch = cmd.pipeline();
    for (const [key, version] of local) batch.set(key, presenceValue(version), 'PX', options.presenceTtlMs);
    batch.exec().catch(onError);
  }
  const refreshTimer = setInterval(refresh, options.presenceRefreshMs);
  refreshTimer.unref();

  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    if (cmd.status !== 'ready') throw new ClusterUnavailableError('cluster store (redis) is unreachable');
    try {
      return await work();
    } catch (err) {
      throw new ClusterUnavailableError(`cluster store (redis) failed: ${(err as Error).message}`);
    }
  };

  return {
    nodeId,
    enabled: true,
    ready,
    findDevice: (productId, deviceName) =>
      guard(async () => parseLocation(await cmd.get(deviceKeyOf(productId, deviceName)))),
    findDevices: (keys) =>
      guard(async () => {
        const found = new Map<string, DeviceLocation>();
        for (let i = 0; i < keys.length; i += 500) {
          const slice = keys.slice(i, i + 500);
          if (slice.length === 0) break;
          const values = await cmd.mget(...slice.map((k) => `${PREFIX}device:${k}`));
          values.forEach((v, j) => {
            const location = parseLocation(v);
            if (location) found.set(slice[j]!, location);
          });
        }
        return found;
      }),
    deviceOnline(productId, deviceName, version) {
      const key = deviceKeyOf(productId, deviceName);
      local.set(key, version);
      if (cmd.status !== 'ready') return; // written by refresh() once redis is back
      cmd
        .set(key, presenceValue(version), 'PX', options.presenceTtlMs, 'GET')
        .then((previous) => {
          const before = parseLocation(previous);
          if (before && before.node !== nodeId) {
            // The camera moved here while its old node may still hold a half-open socket: close that one.
            void this.send(before.node, { t: 'device-replaced', from: nodeId, productId, deviceName });
          }
        })
        .catch(onError);
    },
    deviceOffline(productId, deviceName) {
      const key = deviceKeyOf(productId, deviceName);
      local.delete(key);
      if (cmd.status === 'ready') cmd.eval(DELETE_IF_OWNER, 1, key, ownerMark).catch(onError);
    },
    async send(node, message) {
      if (cmd.status !== 'ready') return false;
      try {
        options.onBusMessage?.('out');
        return (await cmd.publish(nodeChannel(node), JSON.stringify(message))) > 0;
      } catch (err) {
        onError(err as Error);
        return false;
      }
    },
    onMessage(handler) {
      handlers.push(handler);
    },
    async close() {
      if (closed) return;
      clearInterval(refreshTimer);
      // Our devices' sockets are closed by now; drop whatever presence is left so others see them offline
      // at once rather than after the TTL. Bounded: with redis down this must not hold up the exit.
      if (cmd.status === 'ready' && local.size > 0) {
        const keys = [...local.keys()];
        const drops = Promise.all(keys.map((k) => cmd.eval(DELETE_IF_OWNER, 1, k, ownerMark))).catch(() => {});
        await Promise.race([drops, new Promise((r) => setTimeout(r, 500).unref())]);
      }
      closed = true;
      local.clear();
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
