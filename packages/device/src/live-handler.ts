/**
 * `ipc.flv?action=live`: the camera's live stream, shared by every viewer through the live feed (GOP
 * cache start, per-viewer backpressure). At most `maxViewers` at once; the next gets 503. While the
 * camera's source is down (being reopened) a new viewer gets 503 saying why.
 */
import type { LiveSubscriber, SourceStatus } from './media/live-hub.js';
import type { ResponseWriter } from './response-writer.js';

export interface LiveFeed {
  /** Starts a subscriber: it gets the FLV header and the GOP cache at once, then live tags. */
  subscribe(sink: LiveSubscriber): () => void;
  /** How the source is doing; a feed without it is taken to be live. */
  sourceStatus?(): SourceStatus;
}

export class LiveHandler {
  private viewers = 0;

  constructor(
    private readonly feed: LiveFeed,
    readonly maxViewers: number,
  ) {}

  get viewerCount(): number {
    return this.viewers;
  }

  get sourceStatus(): SourceStatus {
    return this.feed.sourceStatus?.() ?? { state: 'live' };
  }

  serve(res: ResponseWriter): void {
    if (this.viewers >= this.maxViewers) {
      res.fail(503, `too many viewers (this camera allows ${this.maxViewers})`);
      return;
    }
    const source = this.sourceStatus;
    if (source.state === 'down') {
      res.fail(503, `camera source is down (reopening): ${source.reason}`);
      return;
    }
    this.viewers++;
    res.head(200, { 'content-type': 'video/x-flv' });
    const unsubscribe = this.feed.subscribe({
      write: (bytes) => void res.write(bytes),
      bufferedAmount: () => res.bufferedAmount,
      // the camera's source ended: the viewer gets eof (or an error frame saying why)
      end: (error) => (error ? res.fail(500, `camera source failed: ${error.message}`) : res.end()),
    });
    res.onClose(() => {
      this.viewers--;
      unsubscribe();
    });
  }
}
