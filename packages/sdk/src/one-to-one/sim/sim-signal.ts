/**
 * An in-memory signalling server for the 1v1 simulator, and the viewer's connection to it (the
 * ModuleSignal the guide module takes). Like the real server it routes an offer by the device its token
 * names, answers 404 for a camera that is offline, forwards answers, candidates and byes, and keeps the
 * viewers' reports. The viewer's side of signalling is always reachable (the faults the simulator models
 * are on the path to the camera); messages to and from the camera travel that path (SimNetwork), so a
 * frozen camera does not answer offers either.
 */
import {
  peekViewerToken,
  type IceServer,
  type ServerToViewer,
  type StartRequest,
  type ViewerToServer,
} from '@xp2p/protocol';
import type { ModuleSignal } from '../../transport.js';
import type { SimNetwork } from './sim-network.js';

/** What the server needs of a camera. */
export interface SignalCamera {
  readonly productId: string;
  readonly deviceName: string;
  readonly online: boolean;
  /**
   * an offer for this camera; `reply` sends the camera's answer, candidates, refusals and byes back, and
   * the frames of its relay-first `start` when it carries one
   */
  offer(
    sessionId: string,
    token: string,
    sdp: string,
    reply: (msg: ServerToViewer) => void,
    start?: StartRequest,
  ): void;
  bye(sessionId: string): void;
}

export class SimSignalServer {
  private readonly cameras = new Map<string, SignalCamera>();
  /** the camera each session went to */
  private readonly sessions = new Map<string, SignalCamera>();
  /** the viewers' `report` messages (what the server's metrics would get) */
  readonly reports: Extract<ViewerToServer, { type: 'report' }>[] = [];

  constructor(
    readonly network: SimNetwork,
    /** one-way latency between the viewer and the server */
    readonly viewerLatencyMs = 10,
  ) {}

  addCamera(camera: SignalCamera): void {
    this.cameras.set(`${camera.productId}/${camera.deviceName}`, camera);
  }

  /** A message from a viewer; `reply` delivers to that viewer's session listener. */
  fromViewer(msg: ViewerToServer, reply: (msg: ServerToViewer) => void): void {
    switch (msg.type) {
      case 'offer': {
        const claims = peekViewerToken(msg.token);
        const camera = claims && this.cameras.get(`${claims.productId}/${claims.deviceName}`);
        if (!camera) return reply({ type: 'error', sessionId: msg.sessionId, status: 403, message: 'bad token' });
        if (!camera.online)
          return reply({ type: 'error', sessionId: msg.sessionId, status: 404, message: 'camera offline' });
        this.sessions.set(msg.sessionId, camera);
        // a relay-first start: its own session between the same two ends (a bye for it reaches the camera)
        if (msg.start) this.sessions.set(msg.start.id, camera);
        const { sessionId, token, sdp, start } = msg;
        const back = (answer: ServerToViewer) => this.toViewer(() => reply(answer));
        this.toCamera(() => camera.offer(sessionId, token, sdp, back, start));
        return;
      }
      case 'bye': {
        const camera = this.sessions.get(msg.sessionId);
        this.sessions.delete(msg.sessionId);
        if (camera) this.toCamera(() => camera.bye(msg.sessionId));
        return;
      }
      case 'report':
        this.reports.push(msg);
        return;
      default:
        return; // candidates: the simulated ICE needs none; pings
    }
  }

  private toCamera(deliver: () => void): void {
    this.network.send(this.network.lane(), deliver);
  }

  private toViewer(deliver: () => void): void {
    // the camera-to-server leg rode the path already; the server-to-viewer leg is always up
    this.network.clock.later(deliver, this.viewerLatencyMs);
  }
}

/** The viewer module's signalling connection to a SimSignalServer. */
export class SimViewerSignal implements ModuleSignal {
  readonly serverUrl = 'http://sim.invalid';
  private connected = false;
  private connecting: Promise<IceServer[]> | undefined;
  private closed = false;
  private readonly listeners = new Map<string, (msg: ServerToViewer) => void>();

  constructor(private readonly server: SimSignalServer) {}

  /** Session listeners still registered (leak checks). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  connect(): Promise<IceServer[]> {
    if (this.closed) return Promise.reject(new Error('signalling closed'));
    if (this.connected) return Promise.resolve([]);
    this.connecting ??= new Promise<IceServer[]>((resolve) => {
      // the socket opens and the server says hello: one round trip
      this.server.network.clock.later(() => {
        this.connecting = undefined;
        if (this.closed) return resolve([]);
        this.connected = true;
        resolve([]);
      }, 2 * this.server.viewerLatencyMs);
    });
    return this.connecting;
  }

  send(msg: ViewerToServer): boolean {
    if (!this.connected || this.closed) return false;
    const sessionId = 'sessionId' in msg ? msg.sessionId : undefined;
    const reply = (answer: ServerToViewer) => {
      // to the session the message names (a start relay's frames name the relay, not the offer)
      const to = 'sessionId' in answer && answer.sessionId ? answer.sessionId : sessionId;
      if (!this.closed && to) this.listeners.get(to)?.(answer);
    };
    this.server.network.clock.later(() => this.server.fromViewer(msg, reply), this.server.viewerLatencyMs);
    return true;
  }

  onSession(sessionId: string, listener: (msg: ServerToViewer) => void): () => void {
    this.listeners.set(sessionId, listener);
    return () => {
      if (this.listeners.get(sessionId) === listener) this.listeners.delete(sessionId);
    };
  }

  close(): void {
    this.closed = true;
    this.connected = false;
  }
}
