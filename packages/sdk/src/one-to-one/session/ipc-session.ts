/**
 * A 1v1 session with one camera: races peer-link attempts (a connect watchdog, DESIGN.md, connect-race.ts),
 * then carries requests, each on its own data channel, until closed or disconnected.
 *
 * Path recovery. A heartbeat on the control channel (path-watch.ts) notices within `pathLostAfterMs` that
 * the network path broke: the viewer's NAT mapping changed, an interface went away. The session then
 * RECONNECTS: a fresh peer connection over the existing signalling, with the same viewer token, so the
 * camera takes it as the same viewer. This is not an ICE restart: libdatachannel (node-datachannel 0.33) has
 * none. Its polyfill's restartIce() throws "Not implemented", a second offer keeps the old ufrag/pwd and
 * gathers nothing new, and an offer with a new ufrag/pwd aborts the process (std::invalid_argument;
 * libdatachannel #545 is open). What a reconnect loses is the SCTP state, so requests in flight end; live
 * streams re-issue themselves (requests/live-stream.ts). Only when no path comes back within
 * `reconnectWindowMs` does the session report disconnect.
 *
 * Clock, peer connections and signalling are inputs (SessionDeps), so the simulator (../sim) runs this
 * same code in virtual time. What closes what: ../CLOSE-CASCADE.md.
 */
import {
  ErrorCode,
  peekViewerToken,
  XP2PError,
  type DeviceRequest,
  type IceServer,
  type IcePath,
  type StartRequest,
} from '@xp2p/protocol';
import { anySignal, repeat, sleep, withDeadline, type Clock } from '../../clock.js';
import { createRequestChannel, openRequest, type RequestHandle, type RequestHandlers } from '../requests/request.js';
import type { DataChannelLike, PeerConnectionFactory, SignalChannel } from '../../transport.js';
import { TypedEmitter } from '../../typed-emitter.js';
import { raceAttempts, type RaceTimings } from './connect-race.js';
import { SessionRefusedError, type PeerLink } from './peer-link.js';
import { selectedPath } from './path-stats.js';
import { PathWatch } from './path-watch.js';

export interface SessionTimings extends RaceTimings {
  startedAt: number;
  signalReadyAt?: number;
}

/** The session's inputs from its host: the real ones (WebRTC, a WebSocket, timers) or simulated ones. */
export interface SessionDeps {
  clock: Clock;
  createPeerConnection: PeerConnectionFactory;
  signal: SignalChannel;
}

/** Timings of connect and path recovery (SDK_DEFAULTS documents each). */
export interface SessionTimingOptions {
  raceAfterMs: number;
  relayAfterMs: number;
  maxAttempts: number;
  connectTimeoutMs: number;
  headTimeoutMs: number;
  /** heartbeat ping interval on the control channel (0: no heartbeat, no path recovery by it) */
  heartbeatMs: number;
  pathLostAfterMs: number;
  reconnectWindowMs: number;
  recoveryRoundMs: number;
  recoveryRaceAfterMs: number;
  recoveryRetryMs: number;
  tokenRenewMarginMs: number;
}

export interface IpcSessionOptions extends SessionDeps, SessionTimingOptions {
  token: string;
  /**
   * A fresh token for the same camera (the app's signed xp2pInfo request), for a reconnect after the one in
   * hand expired: tokens last minutes, a live view hours. Without it such a reconnect ends in disconnect.
   */
  renewToken?: () => Promise<string>;
  abort: AbortSignal;
  log: (line: string) => void;
  /** a relay-first start for the first connect's first offer (never a reconnect's) */
  start?: StartRequest;
}

/**
 * The token the first connect offers: the service's, or a fresh one when it has expired (or is about to).
 * An app may keep an xp2pInfo for later, as the guide allows; its token lives minutes, so the first connect
 * renews it the way a reconnect does. If renewing fails, the old token goes: the camera's refusal
 * (-2402, "viewer token has expired") then says what happened.
 */
async function tokenForFirstConnect(o: IpcSessionOptions): Promise<string> {
  const exp = peekViewerToken(o.token)?.exp;
  if (!o.renewToken || exp === undefined || exp * 1000 > o.clock.epochMs() + o.tokenRenewMarginMs) return o.token;
  const noAnswer = (ms: number) => `no fresh xp2pInfo within ${ms} ms`;
  try {
    const token = await withDeadline(o.clock, o.renewToken(), o.connectTimeoutMs, noAnswer, o.abort);
    o.log('viewer token renewed: the xp2pInfo given had expired');
    return token;
  } catch (err) {
    o.log(`the xp2pInfo's token has expired and renewing it failed: ${String(err)}`);
    return o.token;
  }
}

/** One reconnect after a broken path: why, and how long until the new peer connection was open. */
export interface Recovery {
  reason: string;
  ms: number;
}

/** What a session tells its owner (typed events, see typed-emitter.ts). */
export interface SessionEventMap extends Record<string, unknown[]> {
  /** the path broke (heartbeat silence, a closed control channel, a failed peer connection) */
  pathLost: [reason: string];
  /** a reconnect on a fresh peer connection is starting */
  reconnecting: [reason: string];
  /** a reconnect succeeded */
  reconnected: [recovery: Recovery];
  /** the viewer token was renewed for a reconnect */
  tokenRenewed: [];
  /** the camera never answers pings: path loss is left to ICE from now on */
  heartbeatUnanswered: [];
  /** the session is gone for good (a recovery failed, or the camera refused it) */
  disconnected: [reason: string];
}

export class IpcSession {
  readonly events = new TypedEmitter<SessionEventMap>();
  private state: 'up' | 'recovering' | 'closed' = 'up';
  private recovery: Promise<boolean> | undefined;
  /** A request channel opened ahead of time, so a request does not wait for channel setup. */
  private spare: DataChannelLike | undefined;
  private stopHeartbeat: () => void = () => {};
  private readonly watch: PathWatch;
  /** reconnects so far */
  readonly recoveries: Recovery[] = [];
  /** the viewer token offers carry: the service's, or a renewed one after it expired */
  private token: string;
  /** aborts when the session closes: a reconnect in flight stops at once, its timers with it */
  private readonly closing = new AbortController();
  /** the service's abort or this session's close */
  private readonly ending: AbortSignal;

  private constructor(
    private link: PeerLink,
    private readonly o: IpcSessionOptions,
    readonly timings: SessionTimings,
  ) {
    this.token = o.token;
    this.ending = anySignal([o.abort, this.closing.signal]);
    this.watch = new PathWatch(o.clock, o.pathLostAfterMs, o.heartbeatMs > 0);
    this.attach(link);
    if (o.heartbeatMs > 0) this.stopHeartbeat = repeat(o.clock, o.heartbeatMs, () => this.beat(), true);
  }

  static async open(o: IpcSessionOptions): Promise<IpcSession> {
    const timings: SessionTimings = { startedAt: o.clock.now(), attempts: 0 };
    const iceServers: IceServer[] = await o.signal.connect();
    timings.signalReadyAt = o.clock.now();
    const first = { ...o, token: await tokenForFirstConnect(o) };
    const link = await raceAttempts(first, iceServers, timings);
    const { start: _firstOnly, ...later } = first;
    return new IpcSession(link, later, timings);
  }

  get sessionId(): string {
    return this.link.sessionId;
  }

  get clock(): Clock {
    return this.o.clock;
  }

  get isRecovering(): boolean {
    return this.state === 'recovering';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves true once the session is usable (at once when it is), false when it is gone. */
  async ready(): Promise<boolean> {
    if (this.state === 'closed') return false;
    return this.recovery ?? true;
  }

  request(req: DeviceRequest, handlers: RequestHandlers): RequestHandle {
    if (this.state === 'closed') throw new XP2PError(ErrorCode.START_STREAM_FAILED, 'session is closed');
    if (this.state === 'recovering')
      throw new XP2PError(ErrorCode.START_STREAM_FAILED, 'reconnecting to the camera, try again shortly');
    const spare = this.spare;
    const usable = spare && (spare.readyState === 'open' || spare.readyState === 'connecting');
    const channel = usable ? spare : createRequestChannel(this.link.pc);
    this.spare = createRequestChannel(this.link.pc);
    const onData = (data: ArrayBuffer) => {
      this.watch.heard(); // data is as good as a pong
      handlers.onData(data);
    };
    return openRequest(this.o.clock, channel, req, { ...handlers, onData }, this.o.headTimeoutMs);
  }

  /**
   * A request failed on the transport (its channel closed without an answer): if the path is broken,
   * reconnect. Resolves true when the session is usable again (it may never have been broken), false when
   * it is gone.
   */
  recover(reason: string): Promise<boolean> {
    if (this.state === 'closed') return Promise.resolve(false);
    if (this.recovery) return this.recovery;
    if (this.watch.healthy(this.link)) return Promise.resolve(true);
    return this.reconnect(reason);
  }

  /** The ICE path in use, once known: host, srflx, prflx or relay (path-stats.ts). */
  selectedPath(): Promise<string | undefined> {
    return selectedPath(this.link.pc);
  }

  /** Figures about this session for the server's metrics (see stream-report.ts); false when not sent. */
  reportToServer(figures: { path: IcePath; ttffMs?: number; bytes?: number }): boolean {
    if (this.state === 'closed') return false;
    return this.o.signal.send({ type: 'report', sessionId: this.sessionId, ...figures });
  }

  /** Ends the session: the heartbeat stops, the peer link closes (its channels with it). No event fires. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.shutDown();
  }

  private shutDown(): void {
    this.closing.abort();
    this.stopHeartbeat();
    this.watch.detach();
    this.link.close();
  }

  private attach(link: PeerLink): void {
    const lost = (reason: string) => {
      if (this.link === link && this.state === 'up') void this.reconnect(reason);
    };
    link.onServerBye((reason) => lost(`camera ended the session: ${reason}`));
    link.pc.addEventListener('connectionstatechange', () => {
      const s = link.pc.connectionState;
      if (s === 'failed' || s === 'closed') lost(`peer connection ${s}`);
    });
    link.control.addEventListener('close', () => lost('control channel closed'));
    this.spare = link.firstRequestChannel;
    this.watch.attach(link);
  }

  private beat(): void {
    if (this.state !== 'up') return;
    const verdict = this.watch.beat();
    if (verdict.kind === 'lost') void this.reconnect(verdict.reason);
    else if (verdict.kind === 'no-heartbeat') {
      this.o.log('the camera does not answer heartbeat pings; path loss is left to ICE');
      this.events.emit('heartbeatUnanswered');
    }
  }

  /** Replaces the broken peer connection with a fresh one; the session ends when none opens in time. */
  private reconnect(reason: string): Promise<boolean> {
    if (this.recovery) return this.recovery;
    const started = this.o.clock.now();
    this.state = 'recovering';
    this.watch.detach();
    this.o.log(`path to the camera lost (${reason}); reconnecting`);
    this.events.emit('pathLost', reason);
    this.events.emit('reconnecting', reason);
    // Closing the old link also sends its bye: over a signalling socket whose TCP path died with the
    // network change, that write is what surfaces the reset, so the attempts below reopen the socket.
    this.link.close();
    this.recovery = this.reconnectLoop(reason, started);
    return this.recovery;
  }

  private async reconnectLoop(reason: string, started: number): Promise<boolean> {
    const { clock } = this.o;
    const deadline = started + this.o.reconnectWindowMs;
    let lastError: unknown;
    while (this.state === 'recovering' && clock.now() < deadline) {
      try {
        const link = await this.reconnectRound(deadline);
        if (this.state !== 'recovering') {
          link.close();
          return false;
        }
        this.link = link;
        this.state = 'up';
        this.attach(link);
        this.recovery = undefined;
        const recovery = { reason, ms: Math.round(clock.now() - started) };
        this.recoveries.push(recovery);
        this.o.log(`reconnected to the camera in ${recovery.ms} ms`);
        this.events.emit('reconnected', recovery);
        return true;
      } catch (err) {
        lastError = err;
        if (err instanceof SessionRefusedError) break; // camera offline, token expired: retrying cannot help
        await sleep(clock, this.o.recoveryRetryMs, this.ending);
      }
    }
    this.recovery = undefined;
    if (this.state !== 'recovering') return false;
    const why = lastError ? ` (${lastError instanceof Error ? lastError.message : String(lastError)})` : '';
    this.lose(`no path back to the camera within ${this.o.reconnectWindowMs} ms after ${reason}${why}`);
    return false;
  }

  /**
   * One bounded round of attempts. Bounded rounds, not one long race: an offer can vanish into a camera's
   * signalling socket that died with the same network change, until the camera logs in again. And a quicker
   * second attempt: the first offer often leaves on our own signalling socket that died with the path and
   * only now learns it (a TCP reset), so it never arrives.
   */
  private async reconnectRound(deadline: number): Promise<PeerLink> {
    const { clock } = this.o;
    const remaining = deadline - clock.now();
    const noSignal = (ms: number) => `no signalling within ${ms} ms`;
    const iceServers = await withDeadline(clock, this.o.signal.connect(), remaining, noSignal, this.ending);
    await this.renewTokenIfExpiring(deadline);
    const options = {
      ...this.o,
      abort: this.ending,
      token: this.token,
      raceAfterMs: Math.min(this.o.raceAfterMs, this.o.recoveryRaceAfterMs),
      connectTimeoutMs: Math.max(1, Math.min(this.o.recoveryRoundMs, deadline - clock.now())),
    };
    return raceAttempts(options, iceServers, { ...this.timings, attempts: 0 });
  }

  /** Swaps in a fresh token when the one in hand expires before this reconnect could be checked. */
  private async renewTokenIfExpiring(deadline: number): Promise<void> {
    const { clock } = this.o;
    const exp = peekViewerToken(this.token)?.exp;
    if (!this.o.renewToken || exp === undefined || exp * 1000 > clock.epochMs() + this.o.tokenRenewMarginMs) return;
    const noSignal = (ms: number) => `no signalling within ${ms} ms`;
    this.token = await withDeadline(clock, this.o.renewToken(), deadline - clock.now(), noSignal, this.ending);
    this.o.log('viewer token renewed for the reconnect');
    this.events.emit('tokenRenewed');
  }

  private lose(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.shutDown();
    this.events.emit('disconnected', reason);
  }
}
