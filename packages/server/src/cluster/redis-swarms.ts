/** 1vN swarm membership across nodes in Redis: which peers of a stream are on which node, and their figures. */
import type { Redis } from 'ioredis';
import type { Cluster, RemotePeer, SwarmFigures } from './cluster.js';
import { figuresKey, parseJson, swarmKey, swarmNodesKey } from './redis-keys.js';
import { guard, type RedisNode } from './redis-node.js';

export type SwarmOps = Pick<
  Cluster,
  'swarmJoined' | 'swarmLeft' | 'swarmMembers' | 'swarmPeerNode' | 'putSwarmFigures' | 'swarmFigures'
>;

const FIGURE_FIELDS = ['peers', 'p2pBytes', 'cdnBytes', 'uploadBytes', 'stalls', 'originBytes'] as const;
/** Figures from another node are summed into what operators read: each must be a count, nothing else. */
const isFigures = (v: Partial<SwarmFigures & { at: number }>): boolean =>
  typeof v.at === 'number' &&
  FIGURE_FIELDS.every((k) => {
    const n = v[k];
    return typeof n === 'number' && Number.isFinite(n) && n >= 0;
  });

/** Rewrites this node's swarm membership of one stream (all of it: a lost HDEL heals here). */
export function writeSwarm(
  node: RedisNode,
  batch: ReturnType<Redis['multi']>,
  stream: string,
  peers: Map<string, boolean>,
): void {
  const key = swarmKey(stream, node.nodeId);
  batch.del(key);
  if (peers.size === 0) return;
  batch.hset(key, Object.fromEntries([...peers].map(([id, upload]) => [id, upload ? '1' : '0'])));
  batch.pexpire(key, node.ttl);
  batch.sadd(swarmNodesKey(stream), node.nodeId);
  batch.pexpire(swarmNodesKey(stream), node.ttl);
}

export function redisSwarms(node: RedisNode): SwarmOps {
  const { cmd, nodeId, ttl, localSwarms, onError } = node;
  return {
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
      guard(node, async () => {
        const nodes = (await cmd.smembers(swarmNodesKey(stream))).filter((n) => n !== nodeId);
        if (nodes.length === 0) return [];
        const batch = cmd.pipeline();
        // HRANDFIELD with a positive count: that many distinct fields at most, at random (Redis ≥ 6.2)
        for (const other of nodes) batch.hrandfield(swarmKey(stream, other), perNode, 'WITHVALUES');
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
      guard(node, async () => {
        const nodes = (await cmd.smembers(swarmNodesKey(stream))).filter((n) => n !== nodeId);
        if (nodes.length === 0) return undefined;
        const batch = cmd.pipeline();
        for (const other of nodes) batch.hexists(swarmKey(stream, other), peerId);
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
      guard(node, async () => {
        const all = await cmd.hgetall(figuresKey(stream));
        const fresh = Date.now() - ttl;
        return Object.entries(all).flatMap(([other, text]) => {
          if (other === nodeId) return [];
          const f = parseJson<SwarmFigures & { at: number }>(text, isFigures);
          if (!f || f.at < fresh) return [];
          const { at: _at, ...figures } = f;
          return [figures];
        });
      }),
  };
}
