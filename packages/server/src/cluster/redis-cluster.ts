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
import { parseBusMessage } from './bus-schema.js';
import { Redis } from 'ioredis';
import {
  ClusterUnavailableError,
  type BusMessage,
  type Cluster,
  type DeviceLocation,
  type RemotePeer,
  type StreamLocation,
  type SwarmFigures,
} from './cluster.js';

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
const streamKey = (name: string): string => `${PREFIX}stream:${name}`;
const swarmKey = (stream: string, node: string): string => `${PREFIX}swarm:${stream}:${node}`;
const swarmNodesKey = (stream: string): string => `${PREFIX}swarm-nodes:${stream}`;
const figuresKey = (stream: string): string => `${PREFIX}swarm-figures:${stream}`;

function parseJson<T>(text: string | null | undefined, valid: (v: Partial<T>) => boolean): T | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<T>;
    return valid(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}
const isLocation = (v: Partial<StreamLocation>): boolean =>
  typeof v.node === 'string' && typeof v.url === 'string' && typeof v.epoch === 'string';
const FIGURE_FIELDS = ['peers', 'p2pBytes', 'cdnBytes', 'uploadBytes', 'stalls', 'originBytes'] as const;
/** Figures from another node are summed into what operators read: each must be a count, nothing else. */
const isFigures = (v: Partial<SwarmFigures & { at: number }>): boolean =>
  typeof v.at === 'number' &&
  FIGURE_FIELDS.every((k) => {
    const n = v[k];
    return typeof n === 'number' && Number.isFinite(n) && n >= 0;
  });
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
  const localStreams = new Map<string, StreamLocation>(); // streams published here
  const localSwarms = new Map<string, Map<string, boolean>>(); // stream → peerId → uploads, peers here
  const ttl = options.presenceTtlMs;
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
    const parsed = parseBusMessage(text);
    if (!parsed.ok) return log(`cluster: dropped a malformed message (${parsed.error.slice(0, 200)})`);
    const message = parsed.message;
    options.onBusMessage?.('in');
    for (const handler of handlers) handler(message);
  });
  sub.subscribe(nodeChannel(nodeId)).catch((err: Error) => onError(err));

  /** Rewrites this node's swarm membership of one stream (all of it: a lost HDEL heals here). */
  const writeSwarm = (batch: ReturnType<Redis['multi']>, stream: string, peers: Map<string, boolean>): void => {
    const key = swarmKey(stream, nodeId);
    batch.del(key);
    if (peers.size === 0) return;
    batch.hset(key, Object.fromEntries([...peers].map(([id, upload]) => [id, upload ? '1' : '0'])));
    batch.pexpire(key, ttl);
    batch.sadd(swarmNodesKey(stream), nodeId);
    batch.pexpire(swarmNodesKey(stream), ttl);
  };

  /** Rewrites every local device's presence, stream and swarm membership, with a fresh TTL. */
  function refresh(): void {
    if (cmd.status !== 'ready') return;
    if (local.size + localStreams.size + localSwarms.size === 0) return;
    const batch = cmd.multi();
    for (const [key, version] of local) batch.set(key, presenceValue(version), 'PX', ttl);
    for (const [name, location] of localStreams) batch.set(streamKey(name), JSON.stringify(location), 'PX', ttl);
    for (const [stream, peers] of localSwarms) writeSwarm(batch, stream, peers);
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
    streamPublished(name, location) {
      localStreams.set(name, location);
      if (cmd.status === 'ready') cmd.set(streamKey(name), JSON.stringify(location), 'PX', ttl).catch(onError);
    },
    streamEnded(name) {
      localStreams.delete(name);
      if (cmd.status === 'ready') cmd.eval(DELETE_IF_OWNER, 1, streamKey(name), ownerMark).catch(onError);
    },
    findStream: (name) => guard(async () => parseJson<StreamLocation>(await cmd.get(streamKey(name)), isLocation)),
    publishedStreams: (limit) =>
      guard(async () => {
        const found = new Map<string, StreamLocation>();
        const prefix = streamKey('');
        let cursor = '0';
        do {
          const [next, keys] = await cmd.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
          cursor = next;
          const wanted = keys.slice(0, limit - found.size);
          if (wanted.length === 0) continue;
          const values = await cmd.mget(...wanted);
          values.forEach((v, i) => {
            const location = parseJson<StreamLocation>(v, isLocation);
            if (location) found.set(wanted[i]!.slice(prefix.length), location);
          });
        } while (cursor !== '0' && found.size < limit);
        return found;
      }),
    swarmJoined(stream, peerId, upload) {
      let peers = localSwarms.get(stream);
      if (!peers) localSwarms.set(stream, (peers = new Map()));
      peers.set(peerId, upload);
      if (cmd.status !== 'ready') return; // written by refresh() once redis is back
      // One field per join (the whole set is rewritten only by the periodic refresh).
      const key = swarmKey(stream, nodeId);
      cmd
        .multi()
        .hset(key, peerId, upload ? '1' : '0')
        .pexpire(key, ttl)
        .sadd(swarmNodesKey(stream), nodeId)
        .pexpire(swarmNodesKey(stream), ttl)
        .exec()
        .catch(onError);
    },
    swarmLeft(stream, peerId) {
      const peers = localSwarms.get(stream);
      if (!peers?.delete(peerId)) return;
      if (peers.size === 0) localSwarms.delete(stream);
      if (cmd.status === 'ready') cmd.hdel(swarmKey(stream, nodeId), peerId).catch(onError);
    },
    swarmMembers: (stream, perNode) =>
      guard(async () => {
        const nodes = (await cmd.smembers(swarmNodesKey(stream))).filter((n) => n !== nodeId);
        if (nodes.length === 0) return [];
        const batch = cmd.pipeline();
        // HRANDFIELD with a positive count: that many distinct fields at most, at random (Redis ≥ 6.2)
        for (const node of nodes) batch.hrandfield(swarmKey(stream, node), perNode, 'WITHVALUES');
        const replies = (await batch.exec()) ?? [];
        const members: RemotePeer[] = [];
        replies.forEach(([err, flat], i) => {
          if (err || !Array.isArray(flat)) return;
          for (let j = 0; j + 1 < flat.length; j += 2) {
            members.push({ id: String(flat[j]), node: nodes[i]!, upload: flat[j + 1] === '1' });
          }
        });
        return members;
      }),
    swarmPeerNode: (stream, peerId) =>
      guard(async () => {
        const nodes = (await cmd.smembers(swarmNodesKey(stream))).filter((n) => n !== nodeId);
        if (nodes.length === 0) return undefined;
        const batch = cmd.pipeline();
        for (const node of nodes) batch.hexists(swarmKey(stream, node), peerId);
        const replies = (await batch.exec()) ?? [];
        const at = replies.findIndex(([err, found]) => !err && found === 1);
        return at >= 0 ? nodes[at] : undefined;
      }),
    putSwarmFigures(stream, figures) {
      if (cmd.status !== 'ready') return;
      const key = figuresKey(stream);
      cmd
        .multi()
        .hset(key, nodeId, JSON.stringify({ ...figures, at: Date.now() }))
        .pexpire(key, ttl)
        .exec()
        .catch(onError);
    },
    swarmFigures: (stream) =>
      guard(async () => {
        const all = await cmd.hgetall(figuresKey(stream));
        const fresh = Date.now() - ttl;
        return Object.entries(all).flatMap(([node, text]) => {
          if (node === nodeId) return [];
          const f = parseJson<SwarmFigures & { at: number }>(text, isFigures);
          if (!f || f.at < fresh) return [];
          const { at: _at, ...figures } = f;
          return [figures];
        });
      }),
    claimNonce: (key, ttlMs) =>
      guard(async () => (await cmd.set(`${PREFIX}nonce:${key}`, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK'),
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
      if (cmd.status === 'ready' && local.size + localStreams.size + localSwarms.size > 0) {
        const keys = [...local.keys(), ...[...localStreams.keys()].map(streamKey)];
        const drops = Promise.all([
          ...keys.map((k) => cmd.eval(DELETE_IF_OWNER, 1, k, ownerMark)),
          ...[...localSwarms.keys()].map((s) => cmd.del(swarmKey(s, nodeId))),
        ]).catch(() => {});
        await Promise.race([drops, new Promise((r) => setTimeout(r, 500).unref())]);
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
