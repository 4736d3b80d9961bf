/** The cluster's Redis keys (layout in redis-cluster.ts) and the parsing of what they hold. */
import type { DeviceLocation, StreamLocation } from './cluster.js';

export const PREFIX = 'xp2p:';
export const deviceKeyOf = (productId: string, deviceName: string): string =>
  `${PREFIX}device:${productId}/${deviceName}`;
export const nodeChannel = (node: string): string => `${PREFIX}node:${node}`;
export const streamKey = (name: string): string => `${PREFIX}stream:${name}`;
export const swarmKey = (stream: string, node: string): string => `${PREFIX}swarm:${stream}:${node}`;
export const swarmNodesKey = (stream: string): string => `${PREFIX}swarm-nodes:${stream}`;
export const figuresKey = (stream: string): string => `${PREFIX}swarm-figures:${stream}`;
export const nonceKey = (key: string): string => `${PREFIX}nonce:${key}`;

/** Deletes a presence key only if this node still owns it (another node may have taken the device over). */
export const DELETE_IF_OWNER = `local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0`;

export function parseJson<T>(text: string | null | undefined, valid: (v: Partial<T>) => boolean): T | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<T>;
    return valid(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

export const isLocation = (v: Partial<StreamLocation>): boolean =>
  typeof v.node === 'string' && typeof v.url === 'string' && typeof v.epoch === 'string';

export function parseLocation(text: string | null): DeviceLocation | undefined {
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
