import type { Cluster } from '../cluster/cluster.js';
/** What presence needs of a device: its name. */
type DeviceName = { productId: string; deviceName: string };
import { deviceKey, type SignalRegistry } from './registry.js';

/** One configured device as the API and `RunningServer.presence()` report it. */
export interface DeviceStatus {
  productId: string;
  deviceName: string;
  online: boolean;
  /** the p2p version the device reported at login; absent while offline */
  version?: string;
  /** open viewer sessions (known for devices on this node; 0 for a device on another node) */
  viewers: number;
  /** in a cluster: the node the device is logged in to, when that is another node */
  node?: string;
}

/** Presence as this node alone sees it. */
export function presence(devices: readonly DeviceName[], registry: SignalRegistry): DeviceStatus[] {
  return devices.map(({ productId, deviceName }) => {
    const link = registry.onlineDevice(productId, deviceName);
    return link
      ? { productId, deviceName, online: true, version: link.version, viewers: link.sessions.size }
      : { productId, deviceName, online: false, viewers: 0 };
  });
}

/** Presence across the cluster; with the store down, what this node holds (better than nothing). */
export async function clusterPresence(
  devices: readonly DeviceName[],
  registry: SignalRegistry,
  cluster: Cluster,
): Promise<DeviceStatus[]> {
  const local = presence(devices, registry);
  if (!cluster.enabled) return local;
  const missing = local.filter((d) => !d.online).map((d) => deviceKey(d.productId, d.deviceName));
  let remote: Map<string, { node: string; version: string }>;
  try {
    remote = await cluster.findDevices(missing);
  } catch {
    return local;
  }
  return local.map((d) => {
    const found = d.online ? undefined : remote.get(deviceKey(d.productId, d.deviceName));
    return found ? { ...d, online: true, version: found.version, node: found.node } : d;
  });
}
