/** What the signalling handlers share: configuration, the registry, the cluster and the server's own addresses. */
import type { IceServer } from '@xp2p/protocol';
import type { Cluster } from '../cluster/cluster.js';
import type { AccountStore } from '../accounts/account-store.js';
import type { AuditLog } from '../accounts/audit-log.js';
import type { DeviceRecord } from '../accounts/records.js';
import type { ServerTuning } from '../defaults.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { Heartbeat } from './heartbeat.js';
import type { SignalRegistry } from './registry.js';

export interface Hub {
  registry: SignalRegistry;
  tuning: ServerTuning;
  heartbeat: Heartbeat;
  log: (line: string) => void;
  metrics: ServerMetrics;
  /** the other nodes; standalone when the server runs alone */
  cluster: Cluster;
  /**
   * ICE servers for one signalling session (its principal plus a random suffix): STUN, plus TURN credentials
   * made for that session alone. `requestHost`: the Host header of its connection (see stun/advertised-stun.ts).
   */
  iceServers: (principal: string, requestHost?: string) => IceServer[];
  /** a registered device (any app's: callers check the tenant) */
  findDevice: (productId: string, deviceName: string) => Promise<DeviceRecord | undefined>;
  /** apps, devices, users, roles (the accounts database) */
  accounts: AccountStore;
  audit: AuditLog;
}

/** Session ids are secrets of a sort (they address a session): logs show only their start. */
export const shortId = (id: string): string => `${id.slice(0, 8)}…`;
