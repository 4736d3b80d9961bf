/**
 * What a camera streams live: N channels (an NVR's cameras, or one camera's lenses), each in up to a few
 * qualities (`high`, `standard`, ... each its own source, e.g. an IP camera's main and sub stream). A viewer
 * names them in its request (`channel=1&quality=standard`); without a quality it gets the channel's best.
 */
import { isLiveQuality, LIVE_QUALITIES, type LiveQuality } from '@xp2p/protocol';
import type { LiveSubscriber, SourceStatus } from './media/live-hub.js';

/** One live source as viewers use it (a LiveHub, or a reopening camera feed). */
export interface LiveFeed {
  /** Starts a subscriber: it gets the FLV header and the GOP cache at once, then live tags. */
  subscribe(sink: LiveSubscriber): () => void;
  /** How the source is doing; a feed without it is taken to be live. */
  sourceStatus?(): SourceStatus;
}

export interface LiveStreamSpec {
  channel: number;
  quality: LiveQuality;
  feed: LiveFeed;
}

export type LiveLookup =
  { ok: true; feed: LiveFeed; channel: number; quality: LiveQuality } | { ok: false; status: 404; message: string };

export class LiveStreams {
  private readonly byChannel = new Map<number, Map<LiveQuality, LiveFeed>>();

  constructor(specs: readonly LiveStreamSpec[]) {
    for (const { channel, quality, feed } of specs) {
      if (!Number.isInteger(channel) || channel < 0) throw new RangeError(`bad channel ${channel}`);
      let qualities = this.byChannel.get(channel);
      if (!qualities) this.byChannel.set(channel, (qualities = new Map()));
      if (qualities.has(quality)) throw new RangeError(`channel ${channel} has quality ${quality} twice`);
      qualities.set(quality, feed);
    }
    if (!this.byChannel.has(0)) throw new RangeError('a camera has a channel 0');
  }

  /** One feed as channel 0, quality high: a camera with one source. */
  static single(feed: LiveFeed): LiveStreams {
    return new LiveStreams([{ channel: 0, quality: 'high', feed }]);
  }

  /** Channels are numbered 0..count-1 for requests; a gap is a channel without live view. */
  get channelCount(): number {
    return Math.max(...this.byChannel.keys()) + 1;
  }

  /** Every stream, channel by channel, best quality first. */
  list(): { channel: number; quality: LiveQuality; feed: LiveFeed }[] {
    return [...this.byChannel.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([channel, qualities]) =>
        LIVE_QUALITIES.filter((q) => qualities.has(q)).map((quality) => ({
          channel,
          quality,
          feed: qualities.get(quality)!,
        })),
      );
  }

  /** The feed a request names; `quality` null or '' is the channel's best. */
  find(channel: number, quality: string | null): LiveLookup {
    const qualities = this.byChannel.get(channel);
    if (!qualities) return { ok: false, status: 404, message: `no live stream on channel ${channel}` };
    const wanted = quality === null || quality === '' ? LIVE_QUALITIES.find((q) => qualities.has(q))! : quality;
    const feed = isLiveQuality(wanted) ? qualities.get(wanted) : undefined;
    if (!feed || !isLiveQuality(wanted)) {
      const offered = LIVE_QUALITIES.filter((q) => qualities.has(q)).join(', ');
      return {
        ok: false,
        status: 404,
        message: `channel ${channel} has no quality ${wanted.slice(0, 32)} (it has ${offered})`,
      };
    }
    return { ok: true, feed, channel, quality: wanted };
  }
}
