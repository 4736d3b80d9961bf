/**
 * Reports how a 1v1 stream goes to the signalling server, which never sees a frame itself: the time to
 * the stream's first bytes and the bytes received, each with the ICE path in use (host / srflx / relay),
 * so operators see TTFF and relay share in /metrics. Best effort: a report that cannot be sent is dropped,
 * never retried, and never delays the stream.
 */
import { ICE_PATHS, type IcePath } from '@xp2p/protocol';
import { repeat, type Clock } from '../../clock.js';
import type { IpcSession } from '../session/ipc-session.js';

/** What a report needs of the session: none yet while a relayed start waits for P2P. */
type ReportSession = Pick<IpcSession, 'reportToServer' | 'selectedPath'>;

export class StreamReport {
  private unreported = 0;
  /** the path last read from the peer connection's stats (a reconnect may change it) */
  private path: IcePath = 'unknown';
  private readonly stopTimer: () => void;
  private closed = false;
  /** a TTFF measured before the session existed (a relayed start), sent once it does */
  private pendingTtffMs: number | undefined;

  /** bytes are reported every `everyMs` while the stream runs, and once more when it ends */
  constructor(
    private readonly session: () => ReportSession | undefined,
    clock: Clock,
    everyMs: number,
  ) {
    const report = () => void this.refreshPath().then(() => this.flush());
    this.stopTimer = repeat(clock, everyMs, report, true);
  }

  /** the stream's first bytes arrived `ttffMs` after it was asked for (its connect included when it waited for one) */
  firstBytes(ttffMs: number): void {
    this.pendingTtffMs = Math.round(ttffMs);
    void this.refreshPath().then(() => this.flushTtff());
  }

  received(bytes: number): void {
    this.unreported += bytes;
  }

  /** the stream ended: what was not reported yet goes now, with the path last seen */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    this.flush();
  }

  private flushTtff(): void {
    const ttffMs = this.pendingTtffMs;
    if (ttffMs === undefined || this.closed) return;
    if (this.session()?.reportToServer({ path: this.path, ttffMs })) this.pendingTtffMs = undefined;
  }

  private flush(): void {
    this.flushTtff();
    if (this.unreported === 0) return;
    if (this.session()?.reportToServer({ path: this.path, bytes: this.unreported })) this.unreported = 0;
  }

  private async refreshPath(): Promise<void> {
    const type = await this.session()?.selectedPath();
    if ((ICE_PATHS as readonly string[]).includes(type ?? '')) this.path = type as IcePath;
  }
}
