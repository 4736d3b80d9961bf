/**
 * The viewer's signalling WebSocket: one per module, opened at init (connect on intent, so a later
 * startP2PService does not pay for it), signed with the app's credentials, shared by every session.
 * Inbound frames are size-checked and schema-parsed; each is routed to the session it names.
 */
import {
  parseSignal,
  serverToViewerSchema,
  signAppRequest,
  type IceServer,
  type ServerToViewer,
  type ViewerToServer,
} from '@xp2p/protocol';
import type { AppParams } from './app-params.js';
import type { Platform } from './platform.js';

type SessionListener = (msg: ServerToViewer) => void;

export class SignalConnectionError extends Error {
  override name = 'SignalConnectionError';
}

export class ViewerSignal {
  private socket: WebSocket | undefined;
  private ready: Promise<IceServer[]> | undefined;
  private readonly listeners = new Map<string, SessionListener>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly platform: Platform,
    private readonly serverUrl: string,
    private readonly app: AppParams,
    private readonly timeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

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
    this.stopPing();
    this.socket?.close();
    this.socket = undefined;
    this.ready = undefined;
  }

  private async open(): Promise<IceServer[]> {
    const sig = await signAppRequest(this.app, 'GET', '/signal/viewer');
    // close() may have run while we were signing: opening a socket now would leak it
    if (this.closed) throw new SignalConnectionError('signalling closed');
    const q = new URLSearchParams({
      appKey: sig.appKey,
      timestamp: String(sig.timestamp),
      nonce: sig.nonce,
      signature: sig.signature,
    });
    const url = `${this.serverUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/signal/viewer?${q}`;
    return new Promise<IceServer[]>((resolve, reject) => {
      const socket = new this.platform.WebSocket(url);
      this.socket = socket;
      let settled = false;
      const timer = setTimeout(
        () => fail(new SignalConnectionError(`no answer from ${this.serverUrl} in ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.close();
        reject(err);
      };
      socket.onerror = () => fail(new SignalConnectionError(`cannot reach signalling server ${this.serverUrl}`));
      socket.onclose = (ev) => {
        fail(
          new SignalConnectionError(
            `signalling server closed the connection (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`,
          ),
        );
        if (this.socket === socket) {
          this.socket = undefined;
          this.ready = undefined;
          this.stopPing();
          if (!this.closed) this.log('signalling connection lost; it reopens on the next request');
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
          clearTimeout(timer);
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
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), 15_000);
    // Keep-alive only: it must not keep a Node process alive by itself.
    (this.pingTimer as { unref?: () => void }).unref?.();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}
