/**
 * `ipc.flv?action=live&channel=N&quality=Q`: the camera's live streams (live-streams.ts), each shared by
 * every viewer through its live feed (GOP cache start, per-viewer backpressure). An unknown channel or
 * quality gets 404. At most `maxViewers` at once over all streams (the camera's uplink); the next gets 503.
 * While a stream's source is down (being reopened) a new viewer of it gets 503 saying why.
 */
import { LiveStreams, type LiveFeed, type LiveLookup } from './live-streams.js';
import type { SourceStatus } from './media/live-hub.js';
import { serveFromOneToMany, type OneToManyOffers } from './one-to-many/serve-full.js';
import type { ResponseWriter } from './response-writer.js';

export class LiveHandler {
  private viewers = 0;
  readonly streams: LiveStreams;

  /** `streams`: the camera's channels and qualities, or one feed (channel 0, quality high). */
  constructor(
    streams: LiveStreams | LiveFeed,
    readonly maxViewers: number,
    /** 1v1 → 1vN: a full camera offers viewers that allow it a 1vN stream (one-to-many/); none: plain 503 */
    private readonly oneToMany?: OneToManyOffers,
  ) {
    this.streams = streams instanceof LiveStreams ? streams : LiveStreams.single(streams);
  }

  get viewerCount(): number {
    return this.viewers;
  }

  /** 1vN streams this camera is publishing because it was full */
  get oneToManyPublishes(): number {
    return this.oneToMany?.publishing ?? 0;
  }

  find(channel: number, quality: string | null): LiveLookup {
    return this.streams.find(channel, quality);
  }

  static sourceStatusOf(feed: LiveFeed): SourceStatus {
    return feed.sourceStatus?.() ?? { state: 'live' };
  }

  /** `oneToMany`: the viewer asked to be switched to 1vN when the camera is full (`xp2p_1vn=1`). */
  serve(res: ResponseWriter, channel = 0, quality: string | null = null, oneToMany = false): void {
    const found = this.find(channel, quality);
    if (!found.ok) {
      res.fail(found.status, found.message);
      return;
    }
    const source = LiveHandler.sourceStatusOf(found.feed);
    if (source.state === 'down') {
      res.fail(503, `camera source is down (reopening): ${source.reason}`);
      return;
    }
    if (this.viewers >= this.maxViewers) {
      const why = `too many viewers (this camera allows ${this.maxViewers})`;
      if (oneToMany && this.oneToMany) void serveFromOneToMany(res, why, found, this.oneToMany);
      else res.fail(503, why);
      return;
    }
    this.viewers++;
    res.head(200, { 'content-type': 'video/x-flv' });
    const unsubscribe = found.feed.subscribe({
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
