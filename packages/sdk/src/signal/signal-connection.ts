/**
 * The viewer's signalling WebSocket: one per module, opened at init (connect on intent, so a later
 * startP2PService does not pay for it), signed with the app's credentials or carrying a signalling ticket
 * (signal-credentials.ts), shared by every session.
 * Inbound frames are size-checked and schema-parsed; each is routed to the session it names.
 * Several server nodes (one cluster): a connect tries them in turn from the one that last worked, and a
 * dropped socket reconnects in the background to the next node, with jittered back-off once all failed.
 */
import {
  parseSignal,
  ServerRotation,
  serverToViewerSchema,
  type IceServer,
  type ServerToViewer,
  type ViewerToServer,
  webSocketUrl,
} from '@xp2p/protocol';
import { signalQuery, type SignalCredentials } from './signal-credentials.js';
import { errorOfEvent } from '../socket-error.js';
import type { Platform } from '../platform.js';
import { repeat, unrefTimer, type Clock } from '../clock.js';
import type { SignalChannel } from '../transport.js';

type SessionListener = (msg: ServerToViewer) => void;

export class SignalConnectionError extends Error {
  override name = 'SignalConnectionError';
}

export interface ViewerSignalOptions {
  clock: Clock;
  /** how long the socket may take to say hello */
  timeoutMs: number;
  /** keep-alive ping interval */
  pingMs: number;
  /** background reconnect back-off range */
  backoff: { minMs: number; maxMs: number };
  log: (line: string) => void;
  /** the module's getUUID, sent so the server's log lines for this client carry it */
  uuid?: string;
}

export class ViewerSignal implements SignalChannel {
  private socket: WebSocket | undefined;
  private ready: Promise<IceServer[]> | undefined;
  private readonly listeners = new Map<string, SessionListener>();
  private stopPingTimer: (() => void) | undefined;
  private closed = false;
  private readonly servers: ServerRotation;
  private reconnectTimer: unknown;
  /** background reconnects that failed in a row (the back-off exponent) */
  private reconnectFailures = 0;

  constructor(
    private readonly platform: Platform,
    serverUrl: string | readonly string[],
    private readonly credentials: SignalCredentials,
    private readonly o: ViewerSignalOptions,
  ) {
    this.servers = new ServerRotation(serverUrl);
  }

  private log(line: string): void {
    this.o.log(line);
  }

  /** the node in use (or to be tried next) */
  get serverUrl(): string {
    return this.servers.current;
  }

  /** Resolves with the server's ICE servers once the socket is authenticated; reconnects if it was lost. */
  connect(): Promise<IceServer[]> {
    if (this.closed) return Promise.reject(new SignalConnectionError('signalling closed'));
    this.ready ??= this.open().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  send(msg: ViewerToServer): boolean {
    const s = this.socket;
    if (!s || s.readyState !== 1 /* OPEN */) return false;
    s.send(JSON.stringify(msg));
    return true;
  }

  onSession(sessionId: string, listener: SessionListener): () => void {
    this.listeners.set(sessionId, listener);
    return () => {
      if (this.listeners.get(sessionId) === listener) this.listeners.delete(sessionId);
    };
  }

  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopPing();
    this.socket?.close();
    this.socket = undefined;
    this.ready = undefined;
  }

  /** Tries each node once, starting with the one in use; fails with the last node's error. */
  private async open(): Promise<IceServer[]> {
    let lastError: unknown;
    for (let tried = 0; tried < this.servers.urls.length; tried++) {
      const url = this.servers.current;
      try {
        const iceServers = await this.openAt(url);
        this.servers.succeeded();
        return (await this.platform.prepareIceServers?.(iceServers)) ?? iceServers;
      } catch (err) {
        if (this.closed) throw err;
        lastError = err;
        this.servers.failed();
        if (this.servers.urls.length > 1) this.log(`signalling: ${describe(err)}; trying ${this.servers.current}`);
      }
    }
    throw lastError;
  }

  /** After a drop: reconnect in the background (next node first), so new sessions find signalling ready. */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const { backoff } = this.o;
    const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** this.reconnectFailures);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().then(
        () => {
          this.reconnectFailures = 0;
          this.log(`signalling reconnected to ${this.servers.current}`);
        },
        () => {
          this.reconnectFailures++;
          this.scheduleReconnect();
        },
      );
    }, delay);
    // Only a convenience: it must not keep a Node process alive by itself.
    unrefTimer(this.reconnectTimer);
  }

  private async openAt(serverUrl: string): Promise<IceServer[]> {
    const q = await signalQuery(this.credentials, `${serverUrl.replace(/\/+$/, '')}/signal/viewer`).catch(
      (err: unknown) => {
        throw new SignalConnectionError(`cannot authenticate to ${serverUrl}: ${describe(err)}`);
      },
    );
    // close() may have run while we were signing (or fetching a ticket): opening a socket now would leak it
    if (this.closed) throw new SignalConnectionError('signalling closed');
    if (this.o.uuid) q.set('uuid', this.o.uuid);
    const url = webSocketUrl(serverUrl, `/signal/viewer?${q}`);
    return new Promise<IceServer[]>((resolve, reject) => {
      const socket = new this.platform.WebSocket(url);
      this.socket = socket;
      let settled = false;
      let failed = false;
      const { clock, timeoutMs } = this.o;
      const timer = clock.setTimeout(
        () => fail(new SignalConnectionError(`no answer from ${serverUrl} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        failed = true;
        clock.clearTimeout(timer);
        socket.close();
        reject(err);
      };
      // Node's `ws` tells why (refused, a certificate not trusted); a browser's error event does not
      socket.onerror = (ev) =>
        fail(new SignalConnectionError(`cannot reach signalling server ${serverUrl}${errorOfEvent(ev)}`));
      socket.onclose = (ev) => {
        fail(
          new SignalConnectionError(
            `signalling server closed the connection (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`,
          ),
        );
        if (this.socket === socket) {
          this.socket = undefined;
          // A failed attempt belongs to open()'s loop over the nodes (connect() resets `ready` if all fail):
          // resetting it here would let a second connect() open a second socket alongside the loop's.
          if (!settled || failed) return;
          this.ready = undefined;
          this.stopPing();
          if (!this.closed) {
            // The node may be gone: the next connect starts with the next node of the list.
            this.servers.failed();
            this.log(`signalling connection to ${serverUrl} lost; reconnecting`);
            this.scheduleReconnect();
          }
        }
      };
      socket.onmessage = (ev: MessageEvent) => {
        const parsed = parseSignal(serverToViewerSchema, ev.data);
        if (!parsed.ok) {
          this.log(`ignored a signalling message: ${parsed.error}`);
          return;
        }
        const msg = parsed.message;
        if (msg.type === 'hello') {
          if (settled) return;
          settled = true;
          clock.clearTimeout(timer);
          this.startPing();
          resolve(msg.iceServers);
          return;
        }
        if (msg.type === 'pong') return;
        const sessionId = 'sessionId' in msg ? msg.sessionId : undefined;
        if (sessionId) this.listeners.get(sessionId)?.(msg);
        else if (msg.type === 'error') this.log(`signalling error ${msg.status}: ${msg.message}`);
      };
    });
  }

  private startPing(): void {
    this.stopPing();
    // Keep-alive only: it must not keep a Node process alive by itself.
    this.stopPingTimer = repeat(this.o.clock, this.o.pingMs, () => this.send({ type: 'ping' }), true);
  }

  private stopPing(): void {
    this.stopPingTimer?.();
    this.stopPingTimer = undefined;
  }
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));
