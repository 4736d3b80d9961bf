/** What the Redis cluster's parts share: the command client, this node's own state and the failure rules. */
import type { Redis } from 'ioredis';
import { ClusterUnavailableError, type BusMessage, type StreamLocation } from './cluster.js';

export interface RedisNode {
  /** the command connection (no offline queue: commands fail fast while Redis is down) */
  cmd: Redis;
  nodeId: string;
  /** presence TTL, ms */
  ttl: number;
  /** the substring of a presence value that says this node owns it */
  ownerMark: string;
  /** presence key → version, of devices logged in here */
  local: Map<string, string>;
  /** streams published here */
  localStreams: Map<string, StreamLocation>;
  /** stream → peerId → uploads, peers here */
  localSwarms: Map<string, Map<string, boolean>>;
  /** logs a Redis failure (rate-limited); never throws */
  onError: (err: Error) => void;
  send: (node: string, message: BusMessage) => Promise<boolean>;
}

export const presenceValue = (node: RedisNode, version: string): string =>
  JSON.stringify({ node: node.nodeId, version });

/** Runs a read the caller needs an answer to: Redis down or failing → ClusterUnavailableError (callers answer 503). */
export async function guard<T>(node: RedisNode, work: () => Promise<T>): Promise<T> {
  if (node.cmd.status !== 'ready') throw new ClusterUnavailableError('cluster store (redis) is unreachable');
  try {
    return await work();
  } catch (err) {
    throw new ClusterUnavailableError(`cluster store (redis) failed: ${(err as Error).message}`);
  }
}
