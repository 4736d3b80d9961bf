/**
 * Reports how a 1v1 stream goes to the signalling server, which never sees a frame itself: the time to
 * the stream's first bytes and the bytes received, each with the ICE path in use (host / srflx / relay),
 * so operators see TTFF and relay share in /metrics. Best effort: a report that cannot be sent is dropped,
 * never retried, and never delays the stream.
 */
import { ICE_PATHS, type IcePath } from '@xp2p/protocol';
import { repeat } from '../clock.js';
import type { IpcSession } from '../session/ipc-session.js';

export class StreamReport {
  private unreported = 0;
  /** the path last read from the peer connection's stats (a reconnect may change it) */
  private path: IcePath = 'unknown';
  private readonly stopTimer: () => void;
  private closed = false;

  /** bytes are reported every `everyMs` while the stream runs, and once more when it ends */
  constructor(
    private readonly session: IpcSession,
    everyMs: number,
  ) {
    const report = () => void this.refreshPath().then(() => this.flush());
    this.stopTimer = repeat(session.clock, everyMs, report, true);
  }

  /** the stream's first bytes arrived `ttffMs` after it was asked for (its connect included when it waited for one) */
  firstBytes(ttffMs: number): void {
    void this.refreshPath().then(() => {
      if (!this.closed) this.session.reportToServer({ path: this.path, ttffMs: Math.round(ttffMs) });
    });
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

  private flush(): void {
    if (this.unreported === 0) return;
    if (this.session.reportToServer({ path: this.path, bytes: this.unreported })) this.unreported = 0;
  }

  private async refreshPath(): Promise<void> {
    const type = await this.session.selectedPath();
    if ((ICE_PATHS as readonly string[]).includes(type ?? '')) this.path = type as IcePath;
  }
}
