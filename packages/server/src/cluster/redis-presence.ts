/** Device and stream presence in Redis: where a camera is logged in, where a 1vN stream is published. */
import type { Cluster, DeviceLocation, StreamLocation } from './cluster.js';
import { DELETE_IF_OWNER, PREFIX, deviceKeyOf, isLocation, parseJson, parseLocation, streamKey } from './redis-keys.js';
import { guard, presenceValue, type RedisNode } from './redis-node.js';

export type PresenceOps = Pick<
  Cluster,
  | 'findDevice'
  | 'findDevices'
  | 'deviceOnline'
  | 'deviceOffline'
  | 'streamPublished'
  | 'streamEnded'
  | 'findStream'
  | 'publishedStreams'
>;

export function redisPresence(node: RedisNode): PresenceOps {
  const { cmd, nodeId, ttl, ownerMark, local, localStreams, onError } = node;
  return {
    findDevice: (productId, deviceName) =>
      guard(node, async () => parseLocation(await cmd.get(deviceKeyOf(productId, deviceName)))),
    findDevices: (keys) =>
      guard(node, async () => {
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
        .set(key, presenceValue(node, version), 'PX', ttl, 'GET')
        .then((previous) => {
          const before = parseLocation(previous);
          if (before && before.node !== nodeId) {
            // The camera moved here while its old node may still hold a half-open socket: close that one.
            void node.send(before.node, { t: 'device-replaced', from: nodeId, productId, deviceName });
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
    findStream: (name) =>
      guard(node, async () => parseJson<StreamLocation>(await cmd.get(streamKey(name)), isLocation)),
    publishedStreams: (limit) =>
      guard(node, async () => {
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
  };
}
