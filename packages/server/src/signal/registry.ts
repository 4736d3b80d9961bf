/**
 * Who is connected right now: the logged-in device sockets (one per device; a new login replaces the old)
 * and the open sessions, each tying one viewer socket to one device socket.
 */
import type { DeviceToServer, ServerToDevice, ServerToViewer, ViewerToServer } from '@xp2p/protocol';
import type { AppConfig } from '../config/schema.js';
import type { SignalChannel } from './channel.js';

export type DeviceChannel = SignalChannel<DeviceToServer, ServerToDevice>;
export type ViewerChannel = SignalChannel<ViewerToServer, ServerToViewer>;

export interface DeviceLink {
  productId: string;
  deviceName: string;
  /** the device p2p version reported at login, e.g. "2.4.50" */
  version: string;
  channel: DeviceChannel;
  sessions: Set<string>;
}

export interface ViewerLink {
  app: AppConfig;
  channel: ViewerChannel;
  sessions: Set<string>;
}

export interface Session {
  id: string;
  viewer: ViewerLink;
  device: DeviceLink;
}

export const deviceKey = (productId: string, deviceName: string): string => `${productId}/${deviceName}`;

export class SignalRegistry {
  readonly #devices = new Map<string, DeviceLink>();
  readonly #sessions = new Map<string, Session>();

  onlineDevice(productId: string, deviceName: string): DeviceLink | undefined {
    return this.#devices.get(deviceKey(productId, deviceName));
  }

  /** Makes `link` the device's socket; returns the link it replaces, if any. */
  setOnline(link: DeviceLink): DeviceLink | undefined {
    const key = deviceKey(link.productId, link.deviceName);
    const previous = this.#devices.get(key);
    this.#devices.set(key, link);
    return previous === link ? undefined : previous;
  }

  /** Removes `link` if it is still the device's current socket (a replaced socket closing changes nothing). */
  setOffline(link: DeviceLink): boolean {
    const key = deviceKey(link.productId, link.deviceName);
    if (this.#devices.get(key) !== link) return false;
    this.#devices.delete(key);
    return true;
  }

  session(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  openSession(id: string, viewer: ViewerLink, device: DeviceLink): Session {
    const session = { id, viewer, device };
    this.#sessions.set(id, session);
    viewer.sessions.add(id);
    device.sessions.add(id);
    return session;
  }

  endSession(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    this.#sessions.delete(id);
    session.viewer.sessions.delete(id);
    session.device.sessions.delete(id);
    return session;
  }

  /** Ends every session of a link, returning them so the caller can tell the other side. */
  endAll(link: DeviceLink | ViewerLink): Session[] {
    return [...link.sessions].map((id) => this.endSession(id)).filter((s): s is Session => s !== undefined);
  }
}
