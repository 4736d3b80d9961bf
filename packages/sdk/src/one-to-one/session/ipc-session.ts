/**
 * A 1v1 session with one camera: races peer-link attempts (a connect watchdog, DESIGN.md), then carries
 * requests, each on its own data channel, until closed or disconnected.
 *
 * Path recovery. A heartbeat on the control channel (protocol/framing/control.ts) notices within
 * `pathLostAfterMs` that the network path broke: the viewer's NAT mapping changed, an interface went
 * away. The session then RECONNECTS: a fresh peer connection over the existing signalling, with the same
 * viewer token, so the camera takes it as the same viewer. This is not an ICE restart: libdatachannel
 * (node-datachannel 0.33) has none. Its polyfill's restartIce() throws "Not implemented", a second offer
 * keeps the old ufrag/pwd and gathers nothing new, and an offer with a new ufrag/pwd aborts the process
 * (std::invalid_argument; libdatachannel #545 is open). What a reconnect loses is the SCTP state, so
 * requests in flight end; live streams re-issue themselves (live-stream.ts). Only when no path comes
 * back within `reconnectWindowMs` does the session report disconnect.
 */
import {
  encodeControlFrame,
  ErrorCode,
  hasRelay,
  parseControlFrame,
  peekViewerToken,
  XP2PError,
  type DeviceRequest,
  type IceServer,
  type IcePath,
} from '@xp2p/protocol';
import { connectPeerLink, SessionRefusedError, type ConnectTimings, type PeerLink } from './peer-link.js';
import type { Platform } from '../../platform.js';
import { createRequestChannel, openRequest, type RequestHandle, type RequestHandlers } from '../requests/request.js';
import { candidateType } from '../../sdp.js';
import type { ViewerSignal } from '../../signal/signal-connection.js';

export interface SessionTimings extends ConnectTimings {
  startedAt: number;
  signalReadyAt?: number;
  attempts: number;
}

export interface IpcSessionOptions {
  platform: Platform;
  signal: ViewerSignal;
  token: string;
  /**
   * A fresh token for the same camera (the app's signed xp2pInfo request), for a reconnect after the one in
   * hand expired: tokens last minutes, a live view hours. Without it such a reconnect ends in disconnect.
   */
  renewToken?: () => Promise<string>;
  raceAfterMs: number;
  /** attempts started this long after the first may use the TURN relay (direct first) */
  relayAfterMs: number;
  maxAttempts: number;
  connectTimeoutMs: number;
  headTimeoutMs: number;
  /** heartbeat ping interval on the control channel (0: no heartbeat, no path recovery by it) */
  heartbeatMs: number;
  /** nothing heard from the camera for this long (pongs or data) means the path is broken */
  pathLostAfterMs: number;
  /** a broken path that does not come back within this bound ends the session (disconnect) */
  reconnectWindowMs: number;
  abort: AbortSignal;
  log: (line: string) => void;
}

/** A reconnect races attempts for at most this long before starting a fresh round (within the window). */
const RECOVERY_ROUND_MS = 3_000;
const RECOVERY_RACE_AFTER_MS = 400;
/** a token this close to its expiry is renewed before a reconnect (the camera checks it again on arrival) */
const TOKEN_RENEW_MARGIN_MS = 5_000;

/** One reconnect after a broken path: why, and how long until the new peer connection was open. */
export interface Recovery {
  reason: string;
  ms: number;
}

export interface SessionEvents {
  /** the session is gone for good (a recovery failed, or the camera refused it) */
  disconnect?: (reason: string) => void;
  /** the path broke; a reconnect is starting */
  pathLost?: (reason: string) => void;
  /** a reconnect succeeded */
  recovered?: (recovery: Recovery) => void;
}

export class IpcSession {
  private events: SessionEvents = {};
  private state: 'up' | 'recovering' | 'closed' = 'up';
  private recovery: Promise<boolean> | undefined;
  /** A request channel opened ahead of time, so a request does not wait for channel setup. */
  private spare: RTCDataChannel | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastHeard = performance.now();
  /** a pong came on the current link */
  private heartbeatAnswered = false;
  /** when the current link's first ping left (sent as soon as its control channel is open) */
  private firstPingAt: number | undefined;
  /**
   * Whether this camera answers pings: true after any pong; false once two links in a row stayed
   * unanswered while open (an agent without the heartbeat: no longer judged by pings); undefined before.
   */
  private answersPings: boolean | undefined;
  /** the last reconnect was for a link whose pings were never answered */
  private lostUnanswered = false;
  /** bytes the transport had received at the last look while the camera seemed silent (beat) */
  private transportSample: { link: PeerLink; bytes: number } | undefined;
  private pingSeq = 0;
  /** reconnects so far */
  readonly recoveries: Recovery[] = [];
  /** the viewer token offers carry: the service's, or a renewed one after it expired */
  private token: string;

  private constructor(
    private link: PeerLink,
    private readonly o: IpcSessionOptions,
    readonly timings: SessionTimings,
  ) {
    this.token = o.token;
    this.attach(link);
    if (o.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs);
      (this.heartbeat as { unref?: () => void }).unref?.();
    }
  }

  static async open(o: IpcSessionOptions): Promise<IpcSession> {
    const timings: SessionTimings = { startedAt: performance.now(), attempts: 0 };
    const iceServers: IceServer[] = await o.signal.connect();
    timings.signalReadyAt = performance.now();
    const link = await raceAttempts(o, iceServers, timings);
    return new IpcSession(link, o, timings);
  }

  get sessionId(): string {
    return this.link.sessionId;
  }

  get isRecovering(): boolean {
    return this.state === 'recovering';
  }

  on(events: SessionEvents): void {
    this.events = { ...this.events, ...events };
  }

  /** Compatibility with callers that only care about the end of the session. */
  onDisconnect(cb: (reason: string) => void): void {
    this.on({ disconnect: cb });
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
    return openRequest(
      channel,
      req,
      {
        ...handlers,
        onData: (data) => {
          this.lastHeard = performance.now(); // data is as good as a pong
          handlers.onData(data);
        },
      },
      this.o.headTimeoutMs,
    );
  }

  /**
   * A request failed on the transport (its channel closed without an answer): if the path is broken,
   * reconnect. Resolves true when the session is usable again (it may never have been broken), false when
   * it is gone.
   */
  recover(reason: string): Promise<boolean> {
    if (this.state === 'closed') return Promise.resolve(false);
    if (this.recovery) return this.recovery;
    if (this.healthy()) return Promise.resolve(true);
    return this.reconnect(reason);
  }

  /**
   * The ICE path in use, once known: host, srflx, prflx or relay (from getStats). The transport's
   * selectedCandidatePairId is the standard answer (Chromium and the node-datachannel polyfill both give
   * it); a nominated, succeeded pair stands in where a browser leaves it out.
   */
  async selectedPath(): Promise<string | undefined> {
    try {
      const stats = await this.link.pc.getStats();
      let pairId: string | undefined;
      stats.forEach((s: Record<string, unknown>) => {
        if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
      });
      let pairLocal: string | undefined;
      stats.forEach((s: Record<string, unknown>) => {
        const chosen = pairId ? s.id === pairId : (s.selected || s.nominated) && s.state === 'succeeded';
        if (s.type === 'candidate-pair' && chosen) pairLocal = s.localCandidateId as string;
      });
      let type: string | undefined;
      stats.forEach((s: Record<string, unknown>) => {
        if (s.id === pairLocal) type = (s.candidateType as string) ?? candidateType(String(s.candidate ?? ''));
      });
      return type;
    } catch {
      return undefined;
    }
  }

  /** Figures about this session for the server's metrics (see stream-report.ts); false when not sent. */
  reportToServer(figures: { path: IcePath; ttffMs?: number; bytes?: number }): boolean {
    if (this.state === 'closed') return false;
    return this.o.signal.send({ type: 'report', sessionId: this.sessionId, ...figures });
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.heartbeat);
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
    link.control.addEventListener('message', (ev: MessageEvent) => {
      const parsed = parseControlFrame(ev.data);
      if (parsed.ok && parsed.message.type === 'pong' && this.link === link) {
        this.heartbeatAnswered = true;
        this.answersPings = true;
        this.lostUnanswered = false;
        this.lastHeard = performance.now();
      }
    });
    this.lastHeard = performance.now();
    this.heartbeatAnswered = false;
    this.firstPingAt = undefined;
    this.spare = createRequestChannel(link.pc);
    // The first ping leaves at once, not a heartbeat interval later: a path that breaks in the session's
    // first moments is then noticed within pathLostAfterMs too, not only when ICE gives up (~13 s).
    if (this.o.heartbeatMs > 0) {
      if (link.control.readyState === 'open') this.ping(link);
      else link.control.addEventListener('open', () => this.ping(link), { once: true });
    }
  }

  /**
   * How long the camera has been silent, as far as the heartbeat can judge: since the last pong or data
   * once a pong came on this link; before that, since the link's first ping (or later data). Undefined
   * when pings cannot judge (none sent yet, or a camera that does not answer them).
   */
  private silentMs(): number | undefined {
    const now = performance.now();
    if (this.heartbeatAnswered) return now - this.lastHeard;
    if (this.firstPingAt === undefined || this.answersPings === false) return undefined;
    return now - Math.max(this.firstPingAt, this.lastHeard);
  }

  private healthy(): boolean {
    const s = this.link.pc.connectionState;
    if (s === 'failed' || s === 'closed' || this.link.control.readyState !== 'open') return false;
    return (this.silentMs() ?? 0) <= this.o.pathLostAfterMs;
  }

  private beat(): void {
    if (this.state !== 'up') return;
    const silentMs = this.silentMs();
    // Half-way to the bound, also look below the messages: bytes arriving at the transport (part of a large
    // message, SCTP retransmissions under loss) show the path works while no whole message or pong got
    // through yet, e.g. on a slow or lossy link with a long round trip.
    if (this.heartbeatAnswered && silentMs !== undefined && silentMs > this.o.pathLostAfterMs / 2) {
      void this.sampleTransport(this.link);
    } else {
      this.transportSample = undefined;
    }
    if (silentMs !== undefined && silentMs > this.o.pathLostAfterMs) {
      if (this.heartbeatAnswered) {
        void this.reconnect(`nothing heard from the camera for ${Math.round(silentMs)} ms`);
        return;
      }
      if (this.lostUnanswered && this.answersPings === undefined) {
        // a second fresh link whose pings go unanswered while it is open: the camera does not speak the
        // heartbeat (an older agent), it is not that every path broke at once
        this.answersPings = false;
        this.o.log('the camera does not answer heartbeat pings; path loss is left to ICE');
      } else {
        this.lostUnanswered = true;
        void this.reconnect(`no answer to pings for ${Math.round(silentMs)} ms since the connection opened`);
        return;
      }
    }
    this.ping(this.link);
  }

  /** Counts bytes that reached the link's transport since the last sample as hearing from the camera. */
  private async sampleTransport(link: PeerLink): Promise<void> {
    const bytes = await transportBytesReceived(link.pc);
    if (bytes === undefined || this.link !== link || this.state !== 'up') return;
    const before = this.transportSample;
    this.transportSample = { link, bytes };
    if (before?.link === link && bytes > before.bytes) this.lastHeard = performance.now();
  }

  private ping(link: PeerLink): void {
    if (this.state === 'closed' || this.link !== link || link.control.readyState !== 'open') return;
    try {
      link.control.send(encodeControlFrame({ type: 'ping', seq: this.pingSeq++ % 2 ** 31 }));
      this.firstPingAt ??= performance.now();
    } catch {
      /* closing: the close event starts the recovery */
    }
  }

  /** Replaces the broken peer connection with a fresh one; the session ends when none opens in time. */
  private reconnect(reason: string): Promise<boolean> {
    if (this.recovery) return this.recovery;
    const started = performance.now();
    this.state = 'recovering';
    this.o.log(`path to the camera lost (${reason}); reconnecting`);
    this.events.pathLost?.(reason);
    const old = this.link;
    // Closing the old link also sends its bye: over a signalling socket whose TCP path died with the
    // network change, that write is what surfaces the reset, so the attempts below reopen the socket.
    old.close();
    this.recovery = (async () => {
      const deadline = started + this.o.reconnectWindowMs;
      let lastError: unknown;
      while (this.state === 'recovering' && performance.now() < deadline) {
        const remaining = deadline - performance.now();
        try {
          const iceServers = await withDeadline(this.o.signal.connect(), remaining);
          await this.renewTokenIfExpiring(deadline);
          const link = await raceAttempts(
            // Bounded rounds, not one long race: an offer can vanish into a camera's signalling socket that
            // died with the same network change, until the camera logs in again. And a quicker second
            // attempt: the first offer often leaves on our own signalling socket that died with the path
            // and only now learns it (a TCP reset), so it never arrives.
            {
              ...this.o,
              token: this.token,
              raceAfterMs: Math.min(this.o.raceAfterMs, RECOVERY_RACE_AFTER_MS),
              connectTimeoutMs: Math.max(1, Math.min(RECOVERY_ROUND_MS, deadline - performance.now())),
            },
            iceServers,
            {
              ...this.timings,
              attempts: 0,
            },
          );
          if (this.state !== 'recovering') {
            link.close();
            return false;
          }
          this.link = link;
          this.state = 'up';
          this.attach(link);
          this.recovery = undefined;
          const recovery = { reason, ms: Math.round(performance.now() - started) };
          this.recoveries.push(recovery);
          this.o.log(`reconnected to the camera in ${recovery.ms} ms`);
          this.events.recovered?.(recovery);
          return true;
        } catch (err) {
          lastError = err;
          if (err instanceof SessionRefusedError) break; // camera offline, token expired: retrying cannot help
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      this.recovery = undefined;
      if (this.state !== 'recovering') return false;
      this.lose(
        `no path back to the camera within ${this.o.reconnectWindowMs} ms after ${reason}` +
          (lastError ? ` (${lastError instanceof Error ? lastError.message : String(lastError)})` : ''),
      );
      return false;
    })();
    return this.recovery;
  }

  /** Swaps in a fresh token when the one in hand expires before this reconnect could be checked. */
  private async renewTokenIfExpiring(deadline: number): Promise<void> {
    const exp = peekViewerToken(this.token)?.exp;
    if (!this.o.renewToken || exp === undefined || exp * 1000 > Date.now() + TOKEN_RENEW_MARGIN_MS) return;
    const token = await withDeadline(this.o.renewToken(), deadline - performance.now());
    this.token = token;
    this.o.log('viewer token renewed for the reconnect');
  }

  private lose(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.heartbeat);
    this.link.close();
    this.events.disconnect?.(reason);
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no signalling within ${Math.round(ms)} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Starts an attempt, and another each `raceAfterMs` while none is open (up to maxAttempts); the first
 * open one wins and the rest are closed. A refusal (bad token, camera offline or full) ends the race at
 * once: another attempt would be refused too.
 */
async function raceAttempts(o: IpcSessionOptions, iceServers: IceServer[], timings: SessionTimings): Promise<PeerLink> {
  if (o.abort.aborted) throw new DOMException('aborted', 'AbortError');
  const local = new AbortController();
  const abortAll = () => local.abort();
  o.abort.addEventListener('abort', abortAll, { once: true });
  const attempts: Promise<PeerLink>[] = [];
  const raceStartedAt = performance.now();
  return new Promise<PeerLink>((resolve, reject) => {
    let done = false;
    let failures = 0;
    let lastError: unknown;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      o.abort.removeEventListener('abort', abortAll);
      fn();
    };
    const start = () => {
      if (done) return;
      timings.attempts++;
      // direct first: only attempts started after relayAfterMs may use the TURN relay
      const relay = hasRelay(iceServers) && performance.now() - raceStartedAt >= o.relayAfterMs;
      const p = connectPeerLink({
        platform: o.platform,
        signal: o.signal,
        iceServers,
        token: o.token,
        relay,
        abort: local.signal,
        timings,
        log: o.log,
      });
      attempts.push(p);
      p.then(
        (link) => {
          if (done) return link.close();
          settle(() => {
            local.abort(); // losers stop
            resolve(link);
          });
        },
        (err: unknown) => {
          failures++;
          lastError = err;
          if (err instanceof SessionRefusedError || o.abort.aborted) {
            settle(() => {
              local.abort();
              reject(err);
            });
          } else if (failures === attempts.length && attempts.length >= o.maxAttempts) {
            settle(() => reject(err));
          } else if (failures === attempts.length) {
            start();
          }
        },
      );
      if (attempts.length < o.maxAttempts) timers.push(setTimeout(start, o.raceAfterMs));
    };
    timers.push(
      setTimeout(
        () =>
          settle(() => {
            local.abort();
            reject(
              new XP2PError(
                ErrorCode.START_STREAM_FAILED,
                `no P2P connection to the camera within ${o.connectTimeoutMs} ms${lastError ? ` (${String(lastError)})` : ''}`,
              ),
            );
          }),
        o.connectTimeoutMs,
      ),
    );
    start();
  });
}

/** Bytes received by the peer connection's transport (getStats), or undefined when it does not say. */
async function transportBytesReceived(pc: RTCPeerConnection): Promise<number | undefined> {
  try {
    let bytes: number | undefined;
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.bytesReceived === 'number') bytes = (bytes ?? 0) + s.bytesReceived;
    });
    return bytes;
  } catch {
    return undefined;
  }
}
