/**
 * The peer's WebSocket to the 1vN tracker (`/signal/peer`, app-signed or with a ticket like `/signal/viewer`): sends
 * `join`, relays WebRTC signals to named peers, forwards reports; every inbound frame is size-checked and
 * schema-parsed, then handed to the listener as a typed message.
 */
import { parseSignal, trackerToPeerSchema, type PeerToTracker, type TrackerToPeer } from '@xp2p/protocol';
import { signalQuery, type SignalCredentials } from '../../signal/signal-credentials.js';
import type { Platform } from '../../platform.js';
import { errorOfEvent } from '../../socket-error.js';

export const TRACKER_PATH = '/signal/peer';

export class TrackerClient {
  private socket: WebSocket | undefined;
  private closed = false;
  private readonly listeners = new Set<(msg: TrackerToPeer) => void>();
  private closeListener: ((reason: string) => void) | undefined;

  constructor(
    private readonly platform: Platform,
    private readonly serverUrl: string,
    private readonly app: SignalCredentials,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Opens the signed socket; resolves once it is open (send `join` next). */
  async open(timeoutMs: number): Promise<void> {
    const q = await signalQuery(this.app, `${this.serverUrl.replace(/\/$/, '')}${TRACKER_PATH}`);
    if (this.closed) throw new Error('tracker client closed');
    const url = `${this.serverUrl.replace(/^http/, 'ws').replace(/\/$/, '')}${TRACKER_PATH}?${q}`;
    await new Promise<void>((resolve, reject) => {
      const socket = new this.platform.WebSocket(url);
      this.socket = socket;
      let opened = false;
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`tracker ${this.serverUrl}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        resolve();
      };
      socket.onerror = (ev) => {
        if (!opened) {
          clearTimeout(timer);
          reject(new Error(`cannot reach tracker ${this.serverUrl}${errorOfEvent(ev)}`));
        }
      };
      socket.onclose = (ev) => {
        clearTimeout(timer);
        if (!opened) reject(new Error(`tracker closed the connection (${ev.code})`));
        else if (!this.closed)
          this.closeListener?.(`tracker connection lost (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
        if (this.socket === socket) this.socket = undefined;
      };
      socket.onmessage = (ev: MessageEvent) => {
        const parsed = parseSignal(trackerToPeerSchema, ev.data);
        if (!parsed.ok) return this.log(`ignored a tracker message: ${parsed.error}`);
        for (const l of this.listeners) l(parsed.message);
      };
    });
  }

  send(msg: PeerToTracker): boolean {
    const s = this.socket;
    if (!s || s.readyState !== 1 /* OPEN */) return false;
    s.send(JSON.stringify(msg));
    return true;
  }

  onMessage(listener: (msg: TrackerToPeer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send({ type: 'leave' });
    this.socket?.close();
    this.socket = undefined;
  }
}
