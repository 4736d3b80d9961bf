/** What the signalling handlers share: configuration, the registry, the cluster and the server's own addresses. */
import type { IceServer } from '@xp2p/protocol';
import type { Cluster } from '../cluster/cluster.js';
import type { DeviceConfig } from '../config/schema.js';
import type { ServerTuning } from '../defaults.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { Heartbeat } from './heartbeat.js';
import { deviceKey, type SignalRegistry } from './registry.js';

export interface Hub {
  registry: SignalRegistry;
  tuning: ServerTuning;
  heartbeat: Heartbeat;
  log: (line: string) => void;
  metrics: ServerMetrics;
  /** the other nodes; standalone when the server runs alone */
  cluster: Cluster;
  /**
   * ICE servers for one authenticated principal (an appid or productId/deviceName): STUN, plus TURN
   * credentials made for it. `requestHost`: the Host header of its connection (see stun/advertised-stun.ts).
   */
  iceServers: (principal: string, requestHost?: string) => IceServer[];
  findDevice: (productId: string, deviceName: string) => DeviceConfig | undefined;
}

export function deviceDirectory(devices: readonly DeviceConfig[]): Hub['findDevice'] {
  const byKey = new Map(devices.map((d) => [deviceKey(d.productId, d.deviceName), d]));
  return (productId, deviceName) => byKey.get(deviceKey(productId, deviceName));
}

/** Session ids are secrets of a sort (they address a session): logs show only their start. */
export const shortId = (id: string): string => `${id.slice(0, 8)}…`;
