/**
 * The connect watchdog (DESIGN.md): starts a peer-link attempt, and another each `raceAfterMs` while none
 * is open (up to maxAttempts); the first open one wins and the rest are closed. A refusal (bad token, camera
 * offline or full) ends the race at once: another attempt would be refused too.
 */
import { ErrorCode, hasRelay, XP2PError, type IceServer } from '@xp2p/protocol';
import type { Clock } from '../clock.js';
import type { PeerConnectionFactory, SignalChannel } from '../transport.js';
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
  abort: AbortSignal;
  log: (line: string) => void;
}

export interface RaceTimings extends ConnectTimings {
  attempts: number;
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
      // direct first: only attempts started after relayAfterMs may use the TURN relay
      const relay = hasRelay(iceServers) && clock.now() - raceStartedAt >= o.relayAfterMs;
      const p = connectPeerLink({ ...o, iceServers, relay, abort: local.signal, timings });
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
      if (attempts.length < o.maxAttempts) timers.push(clock.setTimeout(start, o.raceAfterMs));
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
