/**
 * The camera's signalling connection: logs in with challenge-response (the secret never crosses the
 * wire), keeps the socket alive with pings, and reconnects with jittered exponential backoff after a
 * drop, so a server restart or a network blip heals by itself. Given several server nodes, a failed
 * attempt or a drop moves to the next node at once; the back-off grows only when every node has failed.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { checkPinnedSocket, tlsClientOptions, type ServerTrust } from './server-trust.js';
import {
  deviceLoginProof,
  encodeRelayFrame,
  parseSignal,
  serverToDeviceSchema,
  ServerRotation,
  SIGNAL_PROTOCOL_VERSION,
  webSocketUrl,
  type DeviceToServer,
  type IceServer,
  type ServerToDevice,
} from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';

export interface DeviceIdentity {
  productId: string;
  deviceName: string;
  secret: string;
  version: string;
}

export interface SignalClientOptions {
  /** one base URL, a comma-separated list, or an array: nodes of one cluster, tried in turn */
  serverUrl: string | readonly string[];
  identity: DeviceIdentity;
  /** certificate pinning (server-trust.ts); default: the system's CAs */
  trust?: ServerTrust;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  pingIntervalMs: number;
  log: (line: string) => void;
  /** Session messages (offer, candidate, bye) after login. */
  onMessage: (msg: ServerToDevice) => void;
  /** Every successful login, with the ICE servers to use. */
  onOnline: (iceServers: IceServer[]) => void;
  /** The connection dropped (sessions keep running over P2P; new ones wait for the reconnect). */
  onOffline: (reason: string) => void;
}

export class DeviceSignalClient {
  private socket: WebSocket | undefined;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private missedPongs = 0;
  private online = false;
  /** the next reconnect goes back to the same node at once: it dropped us on purpose, it is not dead */
  private retrySameNode = false;
  private readonly servers: ServerRotation;

  constructor(private readonly o: SignalClientOptions) {
    this.servers = new ServerRotation(o.serverUrl);
  }

  /** the node this camera is logged in to (or trying next) */
  get serverUrl(): string {
    return this.servers.current;
  }

  start(): void {
    this.connect();
  }

  get isOnline(): boolean {
    return this.online;
  }

  send(msg: DeviceToServer): boolean {
    if (!this.online || this.socket?.readyState !== WebSocket.OPEN) return false;
    // a relay frame goes as a binary message (protocol/src/signal/start-relay-binary.ts), all else as JSON
    this.socket.send(msg.type === 'relay' ? encodeRelayFrame(msg) : JSON.stringify(msg));
    return true;
  }

  /** Drops the connection and logs in again at once (the camera's public address changed: it is dead). */
  reconnectNow(reason: string): void {
    const s = this.socket;
    if (!s || this.stopped) return;
    this.o.log(`reconnecting now: ${reason}`);
    this.retrySameNode = true;
    s.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const s = this.socket;
    this.socket = undefined;
    if (s && s.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.close();
        setTimeout(() => {
          s.terminate();
          resolve();
        }, DEVICE_DEFAULTS.signalCloseGraceMs).unref();
      });
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const url = webSocketUrl(this.servers.current, '/signal/device');
    const trust = this.o.trust ?? {};
    const socket = new WebSocket(url, { maxPayload: 64 * 1024, ...tlsClientOptions(trust) });
    this.socket = socket;
    const { identity } = this.o;
    // Before 'open', so before any challenge is answered: a server with another certificate gets nothing.
    socket.once('upgrade', (res: IncomingMessage) => {
      try {
        checkPinnedSocket(res.socket as TLSSocket, trust);
      } catch (err) {
        this.o.log(`refusing the server: ${(err as Error).message}`);
        socket.terminate();
      }
    });

    socket.on('message', (raw, isBinary) => {
      if (isBinary) return;
      const parsed = parseSignal(serverToDeviceSchema, raw.toString());
      if (!parsed.ok) {
        this.o.log(`ignored a signalling message: ${parsed.error}`);
        return;
      }
      const msg = parsed.message;
      switch (msg.type) {
        case 'challenge':
          void deviceLoginProof(identity.secret, identity.productId, identity.deviceName, msg.challenge).then(
            (proof) => {
              if (socket.readyState !== WebSocket.OPEN) return;
              socket.send(
                JSON.stringify({
                  type: 'auth',
                  v: SIGNAL_PROTOCOL_VERSION,
                  productId: identity.productId,
                  deviceName: identity.deviceName,
                  version: identity.version,
                  proof,
                } satisfies DeviceToServer),
              );
            },
          );
          return;
        case 'welcome':
          this.online = true;
          this.servers.succeeded();
          this.startPing(socket);
          this.o.onOnline(msg.iceServers);
          return;
        case 'pong':
          this.missedPongs = 0;
          return;
        case 'error':
          if (!this.online) this.o.log(`login refused (${msg.status}): ${msg.message}`);
          else if (!msg.sessionId) this.o.log(`server error ${msg.status}: ${msg.message}`);
          else this.o.onMessage(msg);
          return;
        default:
          this.o.onMessage(msg);
      }
    });
    socket.on('error', (err) => this.o.log(`signalling error: ${err.message}`));
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      clearInterval(this.pingTimer);
      const wasOnline = this.online;
      this.online = false;
      this.socket = undefined;
      if (wasOnline) this.o.onOffline(`signalling closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    if (this.retrySameNode) {
      this.retrySameNode = false;
      this.o.log(`logging in again to ${this.servers.current}`);
      this.reconnectTimer = setTimeout(() => this.connect(), 0);
      return;
    }
    // The node just left (dropped, or never answered) may be dead: the next attempt goes to the next one.
    const rounds = this.servers.failed();
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectMinMs * 2 ** rounds);
    const delay = base / 2 + Math.random() * (base / 2);
    this.o.log(`reconnecting to ${this.servers.current} in ${Math.round(delay)} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startPing(socket: WebSocket): void {
    clearInterval(this.pingTimer);
    this.missedPongs = 0;
    this.pingTimer = setInterval(() => {
      if (this.missedPongs >= 2) {
        this.o.log('server stopped answering pings; reconnecting');
        socket.terminate();
        return;
      }
      this.missedPongs++;
      this.send({ type: 'ping' });
    }, this.o.pingIntervalMs);
  }
}
