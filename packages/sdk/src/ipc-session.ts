/**
 * A 1v1 session with one camera: races peer-link attempts (a connect watchdog, DESIGN.md), then carries
 * requests, each on its own data channel, until closed or disconnected.
 */
import { ErrorCode, hasRelay, XP2PError, type DeviceRequest, type IceServer } from '@xp2p/protocol';
import { connectPeerLink, SessionRefusedError, type ConnectTimings, type PeerLink } from './peer-link.js';
import type { Platform } from './platform.js';
import { createRequestChannel, openRequest, type RequestHandle, type RequestHandlers } from './request.js';
import { candidateType } from './sdp.js';
import type { ViewerSignal } from './signal-connection.js';

export interface SessionTimings extends ConnectTimings {
  startedAt: number;
  signalReadyAt?: number;
  attempts: number;
}

export interface IpcSessionOptions {
  platform: Platform;
  signal: ViewerSignal;
  token: string;
  raceAfterMs: number;
  /** attempts started this long after the first may use the TURN relay (direct first) */
  relayAfterMs: number;
  maxAttempts: number;
  connectTimeoutMs: number;
  headTimeoutMs: number;
  abort: AbortSignal;
  log: (line: string) => void;
}

export class IpcSession {
  private disconnectListener: ((reason: string) => void) | undefined;
  private closed = false;
  /** A request channel opened ahead of time, so a request does not wait for channel setup. */
  private spare: RTCDataChannel | undefined;

  private constructor(
    private readonly link: PeerLink,
    private readonly headTimeoutMs: number,
    readonly timings: SessionTimings,
  ) {
    const lost = (reason: string) => this.lose(reason);
    link.onServerBye((reason) => lost(`camera ended the session: ${reason}`));
    link.pc.addEventListener('connectionstatechange', () => {
      const s = link.pc.connectionState;
      if (s === 'failed' || s === 'closed') lost(`peer connection ${s}`);
    });
    link.control.addEventListener('close', () => lost('control channel closed'));
    this.spare = createRequestChannel(link.pc);
  }

  static async open(o: IpcSessionOptions): Promise<IpcSession> {
    const timings: SessionTimings = { startedAt: performance.now(), attempts: 0 };
    const iceServers: IceServer[] = await o.signal.connect();
    timings.signalReadyAt = performance.now();
    const link = await raceAttempts(o, iceServers, timings);
    return new IpcSession(link, o.headTimeoutMs, timings);
  }

  get sessionId(): string {
    return this.link.sessionId;
  }

  onDisconnect(cb: (reason: string) => void): void {
    this.disconnectListener = cb;
  }

  request(req: DeviceRequest, handlers: RequestHandlers): RequestHandle {
    if (this.closed) throw new XP2PError(ErrorCode.START_STREAM_FAILED, 'session is closed');
    const spare = this.spare;
    const usable = spare && (spare.readyState === 'open' || spare.readyState === 'connecting');
    const channel = usable ? spare : createRequestChannel(this.link.pc);
    this.spare = createRequestChannel(this.link.pc);
    return openRequest(channel, req, handlers, this.headTimeoutMs);
  }

  /** The ICE path in use, once known: host, srflx, prflx or relay (from getStats). */
  async selectedPath(): Promise<string | undefined> {
    try {
      const stats = await this.link.pc.getStats();
      let pairLocal: string | undefined;
      stats.forEach((s: Record<string, unknown>) => {
        if (s.type === 'candidate-pair' && (s.selected || s.nominated) && s.state === 'succeeded') {
          pairLocal = s.localCandidateId as string;
        }
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.link.close();
  }

  private lose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.link.close();
    this.disconnectListener?.(reason);
  }
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
