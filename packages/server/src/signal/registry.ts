/**
 * Who is connected right now: the logged-in device sockets (one per device; a new login replaces the old)
 * and the open sessions, each tying one viewer end to one device end. An end is usually a local socket;
 * in a cluster the other side of a session may live on another node, and its end then forwards through
 * the cluster bus (signal/remote-ends.ts). Handlers only ever `send` to an end, so they need not care.
 */
import type { Role, DeviceToServer, ServerToDevice, ServerToViewer, ViewerToServer } from '@xp2p/protocol';
import type { AppConfig } from '../config/schema.js';
import type { SignalChannel } from './channel.js';

export type DeviceChannel = SignalChannel<DeviceToServer, ServerToDevice>;
export type ViewerChannel = SignalChannel<ViewerToServer, ServerToViewer>;

export interface Outbox<Out> {
  send(message: Out): void;
}

export interface DeviceEnd {
  productId: string;
  deviceName: string;
  /** the device p2p version reported at login, e.g. "2.4.50" */
  version: string;
  channel: Outbox<ServerToDevice>;
  sessions: Set<string>;
  /** set when the device is connected to another node of the cluster */
  remoteNode?: string;
}

export interface ViewerEnd {
  channel: Outbox<ServerToViewer>;
  sessions: Set<string>;
  /** set when the viewer is connected to another node of the cluster */
  remoteNode?: string;
}

export interface DeviceLink extends DeviceEnd {
  channel: DeviceChannel;
}

export interface ViewerLink extends ViewerEnd {
  app: AppConfig;
  /** the viewer's network address, for the audit log */
  address?: string;
  /** how log lines name this viewer ("viewer APPID uuid UUID") */
  label: string;
  /** the web user whose signalling ticket opened this socket (undefined: app-signed) */
  user?: string;
  channel: ViewerChannel;
}

export interface Session {
  id: string;
  viewer: ViewerEnd;
  device: DeviceEnd;
  /** performance.now() when the offer passed the server, for the offer→answer histogram */
  offeredAt: number;
  answered: boolean;
  /** who the viewer token was issued for; checked again while the session runs (signal/revocation.ts) */
  grant?: SessionGrant;
}

export interface SessionGrant {
  appid: string;
  user: string;
  role: Role;
  /** the user is an account of the accounts database (their role there bounds the session) */
  account: boolean;
}

export const deviceKey = (productId: string, deviceName: string): string => `${productId}/${deviceName}`;

export class SignalRegistry {
  readonly #devices = new Map<string, DeviceLink>();
  readonly #sessions = new Map<string, Session>();

  onlineDevice(productId: string, deviceName: string): DeviceLink | undefined {
    return this.#devices.get(deviceKey(productId, deviceName));
  }

  /** Every device logged in to this node. */
  devices(): IterableIterator<DeviceLink> {
    return this.#devices.values();
  }

  get deviceCount(): number {
    return this.#devices.size;
  }

  get sessionCount(): number {
    return this.#sessions.size;
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

  /** Every session this node relays. */
  sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  openSession(id: string, viewer: ViewerEnd, device: DeviceEnd, grant?: SessionGrant): Session {
    const session: Session = {
      id,
      viewer,
      device,
      offeredAt: performance.now(),
      answered: false,
      ...(grant ? { grant } : {}),
    };
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

  /** Ends every session of an end, returning them so the caller can tell the other side. */
  endAll(end: DeviceEnd | ViewerEnd): Session[] {
    return [...end.sessions].map((id) => this.endSession(id)).filter((s): s is Session => s !== undefined);
  }
}
