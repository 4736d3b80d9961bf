/**
 * A peer's membership of one stream's swarm through one server node: the tracker socket, the `join`
 * handshake, then the node's messages. Messages after `joined` wait until the owner calls `deliver`
 * (it first reads the manifest, so the node's announcements do not skip chunks it has not seen yet);
 * WebRTC signals pass at once, because a neighbour's offer must not wait.
 */
import type { PeerToTracker, TrackerToPeer } from '@xp2p/protocol';
import type { SignalCredentials } from '../../signal/signal-credentials.js';
import type { Platform } from '../../platform.js';
import { TrackerClient } from './tracker-client.js';

export type JoinedMessage = Extract<TrackerToPeer, { type: 'joined' }>;

export interface NodeSessionOptions {
  platform: Platform;
  /** the app's keys, or a signalling ticket (a web page: signal/signal-credentials.ts) */
  app: SignalCredentials;
  /** the node's base URL */
  base: string;
  stream: string;
  upload: boolean;
  timeoutMs: number;
  /** WebRTC signals from neighbours, handed over as they come */
  onSignal: (msg: Extract<TrackerToPeer, { type: 'signal' }>) => void;
  log: (line: string) => void;
  /** the viewer's clock: when the node was last heard from */
  now: () => number;
}

export class NodeSession {
  private readonly backlog: TrackerToPeer[] = [];
  private handler: ((msg: TrackerToPeer) => void) | undefined;
  private lostListener: ((reason: string) => void) | undefined;
  private lostReason: string | undefined;
  /** when the node last sent anything (a `pong` at least, answering our pings) */
  heardAt: number;

  private constructor(
    readonly base: string,
    readonly joined: JoinedMessage,
    private readonly tracker: TrackerClient,
    now: number,
  ) {
    this.heardAt = now;
  }

  /** Opens the tracker socket on the node and joins; rejects with the node's refusal or the failure. */
  static async join(o: NodeSessionOptions): Promise<NodeSession> {
    const tracker = new TrackerClient(o.platform, o.base, o.app, o.log);
    let session: NodeSession | undefined;
    try {
      await tracker.open(o.timeoutMs);
      const joined = await new Promise<JoinedMessage>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`tracker ${o.base} did not answer join in ${o.timeoutMs} ms`)),
          o.timeoutMs,
        );
        tracker.onMessage((msg) => {
          if (session) {
            session.heardAt = o.now();
            if (msg.type === 'signal') o.onSignal(msg);
            else if (session.handler) session.handler(msg);
            else session.backlog.push(msg);
          } else if (msg.type === 'joined') {
            clearTimeout(timer);
            session = new NodeSession(o.base, msg, tracker, o.now());
            resolve(msg);
          } else if (msg.type === 'error') {
            clearTimeout(timer);
            reject(new Error(`tracker ${o.base} refused (${msg.status}): ${msg.message}`));
          }
        });
        tracker.onClose((reason) => {
          clearTimeout(timer);
          if (!session) return reject(new Error(`${o.base}: ${reason}`));
          session.lostReason = `${o.base}: ${reason}`;
          session.lostListener?.(session.lostReason);
        });
        tracker.send({ type: 'join', v: 1, stream: o.stream, upload: o.upload });
      });
      return session ?? new NodeSession(o.base, joined, tracker, o.now());
    } catch (err) {
      tracker.close();
      throw err;
    }
  }

  /** Hands the waiting messages, then every later one, to `handler`. */
  deliver(handler: (msg: TrackerToPeer) => void): void {
    this.handler = handler;
    for (const msg of this.backlog.splice(0)) handler(msg);
  }

  /** Called once when the node's socket drops (at once if it already did). */
  onLost(listener: (reason: string) => void): void {
    this.lostListener = listener;
    if (this.lostReason !== undefined) listener(this.lostReason);
  }

  send(msg: PeerToTracker): boolean {
    return this.tracker.send(msg);
  }

  close(): void {
    this.lostListener = undefined;
    this.handler = undefined;
    this.tracker.close();
  }
}
