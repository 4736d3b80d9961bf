/**
 * The heartbeat's judgement of the path (protocol/framing/control.ts): the viewer pings the camera on the
 * control channel; a path is broken when nothing (pong or data) came back for `pathLostAfterMs`. It only
 * judges; the session (ipc-session.ts) acts on the verdict.
 */
import { encodeControlFrame, parseControlFrame } from '@xp2p/protocol';
import type { Clock } from '../../clock.js';
import type { PeerLink } from './peer-link.js';
import { transportBytesReceived } from './path-stats.js';

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'lost'; reason: string }
  /** a second fresh link whose pings go unanswered while open: the camera does not speak the heartbeat */
  | { kind: 'no-heartbeat' };

export class PathWatch {
  private link: PeerLink | undefined;
  private lastHeard: number;
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
  /** bytes the transport had received at the last look while the camera seemed silent */
  private transportSample: { link: PeerLink; bytes: number } | undefined;
  private pingSeq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly pathLostAfterMs: number,
    private readonly heartbeatOn: boolean,
  ) {
    this.lastHeard = clock.now();
  }

  /** Watches a fresh link: its pongs count, and its first ping leaves as soon as its control channel opens. */
  attach(link: PeerLink): void {
    this.link = link;
    link.control.addEventListener('message', (ev) => {
      const parsed = parseControlFrame(ev.data);
      if (parsed.ok && parsed.message.type === 'pong' && this.link === link) {
        this.heartbeatAnswered = true;
        this.answersPings = true;
        this.lostUnanswered = false;
        this.heard();
      }
    });
    this.lastHeard = this.clock.now();
    this.heartbeatAnswered = false;
    this.firstPingAt = undefined;
    // The first ping leaves at once, not a heartbeat interval later: a path that breaks in the session's
    // first moments is then noticed within pathLostAfterMs too, not only when ICE gives up (~13 s).
    if (this.heartbeatOn) {
      if (link.control.readyState === 'open') this.ping(link);
      else link.control.addEventListener('open', () => this.ping(link), { once: true });
    }
  }

  /** Stops judging (the session closed): later pongs and samples change nothing. */
  detach(): void {
    this.link = undefined;
  }

  /** Data from the camera is as good as a pong. */
  heard(): void {
    this.lastHeard = this.clock.now();
  }

  /** Whether the link looks usable now (open, and not silent past the bound). */
  healthy(link: PeerLink): boolean {
    const s = link.pc.connectionState;
    if (s === 'failed' || s === 'closed' || link.control.readyState !== 'open') return false;
    return (this.silentMs() ?? 0) <= this.pathLostAfterMs;
  }

  /** One heartbeat: the verdict on the path, and a ping when it still counts as up. */
  beat(): Verdict {
    const link = this.link;
    if (!link) return { kind: 'ok' };
    const silentMs = this.silentMs();
    // Half-way to the bound, also look below the messages: bytes arriving at the transport (part of a large
    // message, SCTP retransmissions under loss) show the path works while no whole message or pong got
    // through yet, e.g. on a slow or lossy link with a long round trip.
    if (this.heartbeatAnswered && silentMs !== undefined && silentMs > this.pathLostAfterMs / 2) {
      void this.sampleTransport(link);
    } else {
      this.transportSample = undefined;
    }
    let verdict: Verdict = { kind: 'ok' };
    if (silentMs !== undefined && silentMs > this.pathLostAfterMs) {
      if (this.heartbeatAnswered)
        return { kind: 'lost', reason: `nothing heard from the camera for ${Math.round(silentMs)} ms` };
      if (this.lostUnanswered && this.answersPings === undefined) {
        this.answersPings = false;
        verdict = { kind: 'no-heartbeat' };
      } else {
        this.lostUnanswered = true;
        return {
          kind: 'lost',
          reason: `no answer to pings for ${Math.round(silentMs)} ms since the connection opened`,
        };
      }
    }
    this.ping(link);
    return verdict;
  }

  /**
   * How long the camera has been silent, as far as the heartbeat can judge: since the last pong or data
   * once a pong came on this link; before that, since the link's first ping (or later data). Undefined
   * when pings cannot judge (none sent yet, or a camera that does not answer them).
   */
  private silentMs(): number | undefined {
    const now = this.clock.now();
    if (this.heartbeatAnswered) return now - this.lastHeard;
    if (this.firstPingAt === undefined || this.answersPings === false) return undefined;
    return now - Math.max(this.firstPingAt, this.lastHeard);
  }

  /** Counts bytes that reached the link's transport since the last sample as hearing from the camera. */
  private async sampleTransport(link: PeerLink): Promise<void> {
    const bytes = await transportBytesReceived(link.pc);
    if (bytes === undefined || this.link !== link) return;
    const before = this.transportSample;
    this.transportSample = { link, bytes };
    if (before?.link === link && bytes > before.bytes) this.heard();
  }

  private ping(link: PeerLink): void {
    if (this.link !== link || link.control.readyState !== 'open') return;
    try {
      link.control.send(encodeControlFrame({ type: 'ping', seq: this.pingSeq++ % 2 ** 31 }));
      this.firstPingAt ??= this.clock.now();
    } catch {
      /* closing: the close event starts the recovery */
    }
  }
}
