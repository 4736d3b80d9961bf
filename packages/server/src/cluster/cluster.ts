/**
 * What the signalling code needs from "the other nodes": where a device is logged in, a way to send a
 * message to another node, and whether the shared store is reachable. One process alone uses
 * `standaloneCluster()` (no Redis, always ready, every device is local); `--redis` gives redis-cluster.ts.
 */
import type { ServerToDevice, ServerToViewer } from '@xp2p/protocol';

/** A device logged in somewhere in the cluster. */
export interface DeviceLocation {
  node: string;
  version: string;
}

/** Messages between nodes, one JSON object per Redis publish to the receiving node's channel. */
export type BusMessage =
  | {
      t: 'to-device';
      from: string;
      sessionId: string;
      productId: string;
      deviceName: string;
      message: ServerToDevice;
    }
  | { t: 'to-viewer'; from: string; sessionId: string; message: ServerToViewer }
  /** the device logged in on `from`: the node that had it must close its old socket */
  | { t: 'device-replaced'; from: string; productId: string; deviceName: string };

/** Thrown when the shared store cannot answer (Redis down): callers refuse with 503, never crash. */
export class ClusterUnavailableError extends Error {
  override name = 'ClusterUnavailableError';
}

export interface Cluster {
  readonly nodeId: string;
  /** true when the shared store is reachable (always, standalone) */
  readonly enabled: boolean;
  ready(): boolean;
  /** Where a device not logged in here is; undefined when offline everywhere. Throws ClusterUnavailableError. */
  findDevice(productId: string, deviceName: string): Promise<DeviceLocation | undefined>;
  /** Locations of many devices at once (for listings); missing keys are offline. Throws ClusterUnavailableError. */
  findDevices(keys: readonly string[]): Promise<Map<string, DeviceLocation>>;
  deviceOnline(productId: string, deviceName: string, version: string): void;
  deviceOffline(productId: string, deviceName: string): void;
  /** Delivers to another node; resolves false when nobody received it (node gone, or store down). */
  send(node: string, message: BusMessage): Promise<boolean>;
  onMessage(handler: (message: BusMessage) => void): void;
  close(): Promise<void>;
}

export function standaloneCluster(nodeId: string): Cluster {
  return {
    nodeId,
    enabled: false,
    ready: () => true,
    findDevice: () => Promise.resolve(undefined),
    findDevices: () => Promise.resolve(new Map()),
    deviceOnline: () => {},
    deviceOffline: () => {},
    send: () => Promise.resolve(false),
    onMessage: () => {},
    close: () => Promise.resolve(),
  };
}
