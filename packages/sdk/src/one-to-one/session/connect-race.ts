/**
 * The connect watchdog (DESIGN.md): starts a peer-link attempt, and another each `raceAfterMs` while none
 * is open (up to maxAttempts); the first open one wins and the rest are closed. A refusal (bad token, camera
 * offline or full) ends the race at once: another attempt would be refused too.
 */
import { ErrorCode, hasRelay, XP2PError, type IceServer, type StartRequest } from '@xp2p/protocol';
import type { Clock } from '../../clock.js';
import type { PeerConnectionFactory, SignalChannel } from '../../transport.js';
import { connectPeerLink, SessionRefusedError, type ConnectTimings, type PeerLink } from './peer-link.js';

export interface RaceOptions {
  clock: Clock;
  createPeerConnection: PeerConnectionFactory;
  signal: SignalChannel;
  token: string;
  raceAfterMs: number;
  /** attempts started this long after the first may use the TURN relay (direct first) */
  relayAfterMs: number;
  maxAttempts: number;
  connectTimeoutMs: number;
  /** a relay-first start (requests/start-relay.ts): rides in the first attempt's offer only */
  start?: StartRequest;
  abort: AbortSignal;
  log: (line: string) => void;
}

export interface RaceTimings extends ConnectTimings {
  attempts: number;
}

/**
 * Round trips from an offer to an open channel: the answer, ICE's check, DTLS (2), SCTP's handshake (2),
 * the channel's open (1). A second attempt before then only doubles the work on a long path.
 */
const ROUND_TRIPS_TO_OPEN = 7;

/**
 * When to race a second attempt, and from when one may use TURN, scaled to the path: the fixed
 * `raceAfterMs` (tuned on loopback, where a lost DTLS flight costs libdatachannel's fixed 1 s) fires
 * before a healthy attempt could open on a long path (at 300 ms RTT an open takes ~2.1 s). Once the first
 * answer gave the round trip, an attempt counts as late only after ROUND_TRIPS_TO_OPEN of them plus the
 * fixed margin; TURN waits the same factor longer, so direct still goes first.
 */
export function raceTimers(
  o: Pick<RaceOptions, 'raceAfterMs' | 'relayAfterMs'>,
  timings: ConnectTimings,
): { raceAfterMs: number; relayAfterMs: number } {
  const rtt =
    timings.answerAt !== undefined && timings.offerSentAt !== undefined ? timings.answerAt - timings.offerSentAt : 0;
  const raceAfterMs = Math.max(o.raceAfterMs, ROUND_TRIPS_TO_OPEN * rtt + o.raceAfterMs / 2);
  return { raceAfterMs, relayAfterMs: Math.round((o.relayAfterMs * raceAfterMs) / o.raceAfterMs) };
}

export async function raceAttempts(o: RaceOptions, iceServers: IceServer[], timings: RaceTimings): Promise<PeerLink> {
  if (o.abort.aborted) throw new DOMException('aborted', 'AbortError');
  const { clock } = o;
  const local = new AbortController();
  const abortAll = () => local.abort();
  o.abort.addEventListener('abort', abortAll, { once: true });
  const attempts: Promise<PeerLink>[] = [];
  const raceStartedAt = clock.now();
  return new Promise<PeerLink>((resolve, reject) => {
    let done = false;
    let failures = 0;
    let lastError: unknown;
    const timers: unknown[] = [];
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      for (const t of timers) clock.clearTimeout(t);
      o.abort.removeEventListener('abort', abortAll);
      fn();
    };
    const start = () => {
      if (done) return;
      timings.attempts++;
      // direct first: only attempts started after relayAfterMs (scaled to the path) may use the TURN relay
      const relay = hasRelay(iceServers) && clock.now() - raceStartedAt >= raceTimers(o, timings).relayAfterMs;
      const firstStart = attempts.length === 0 ? o.start : undefined;
      const p = connectPeerLink({ ...o, iceServers, relay, start: firstStart, abort: local.signal, timings });
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
      if (attempts.length < o.maxAttempts) armRace(clock.now());
    };
    /** the next attempt once this one is late: after raceAfterMs, or later when the path is long */
    const armRace = (attemptStartedAt: number) => {
      timers.push(
        clock.setTimeout(() => {
          const wait = attemptStartedAt + raceTimers(o, timings).raceAfterMs - clock.now();
          if (wait > 0) timers.push(clock.setTimeout(start, wait));
          else start();
        }, o.raceAfterMs),
      );
    };
    const giveUp = () =>
      settle(() => {
        local.abort();
        const why = lastError ? ` (${String(lastError)})` : '';
        reject(
          new XP2PError(
            ErrorCode.START_STREAM_FAILED,
            `no P2P connection to the camera within ${o.connectTimeoutMs} ms${why}`,
          ),
        );
      });
    timers.push(clock.setTimeout(giveUp, o.connectTimeoutMs));
    start();
  });
}
