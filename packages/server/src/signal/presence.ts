import type { DeviceConfig } from '../config/schema.js';
import type { SignalRegistry } from './registry.js';

/** One configured device as the API and `RunningServer.presence()` report it. */
export interface DeviceStatus {
  productId: string;
  deviceName: string;
  online: boolean;
  /** the p2p version the device reported at login; absent while offline */
  version?: string;
  /** open viewer sessions */
  viewers: number;
}

export function presence(devices: readonly DeviceConfig[], registry: SignalRegistry): DeviceStatus[] {
  return devices.map(({ productId, deviceName }) => {
    const link = registry.onlineDevice(productId, deviceName);
    return link
      ? { productId, deviceName, online: true, version: link.version, viewers: link.sessions.size }
      : { productId, deviceName, online: false, viewers: 0 };
  });
}
