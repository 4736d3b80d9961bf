/**
 * Fans one live source out to many viewers. Each viewer gets a self-contained FLV stream that
 * starts at a keyframe with timestamp 0, and a slow viewer loses whole GOPs instead of slowing
 * the others down or making the device buffer without bound.
 */
import {
  avcCompositionTime,
  encodeFlvHeader,
  encodeFlvTag,
  isScriptTag,
  isSequenceHeader,
  startsGop,
  TimestampRebaser,
  withTimestamp,
  type FlvTag,
} from '@xp2p/protocol';
import { GopCache } from './gop-cache.js';
import type { MediaSink } from './media-source.js';
import { DEVICE_DEFAULTS } from '../defaults.js';

export interface LiveSubscriber {
  write(bytes: Uint8Array): void;
  /** Bytes written but not yet sent on (e.g. a data channel's bufferedAmount). */
  bufferedAmount(): number;
  /** Told when the hub closes or its source ends (error = why). */
  end?(error?: Error): void;
}

export interface LiveHubOptions {
  /** Above this many buffered bytes a subscriber stops receiving media until the next keyframe. Default 2 MiB. */
  highWaterMark?: number;
  /** GOP cache bound (see GopCache). Default 8 MiB. */
  gopCacheBytes?: number;
  /**
   * After dropping frames, a subscriber's timeline continues this far after its last tag rather
   * than jumping by the time that was skipped (a gap in timestamps makes MSE players stall). Default 33 ms.
   */
  resumeGapMs?: number;
}

export interface SubscriberStats {
  sentTags: number;
  droppedTags: number;
  /** Times the subscriber fell behind and had to wait for the next keyframe (losing the GOP's remainder). */
  resyncs: number;
  sentBytes: number;
  waitingForKeyframe: boolean;
}

interface Subscriber {
  readonly sink: LiveSubscriber;
  readonly rebaser: TimestampRebaser;
  readonly stats: SubscriberStats;
}

export class LiveHub implements MediaSink {
  private readonly highWaterMark: number;
  private readonly resumeGapMs: number;
  private readonly cache: GopCache;
  private readonly subscribers = new Map<LiveSubscriber, Subscriber>();
  private closed = false;

  constructor(options: LiveHubOptions = {}) {
    this.highWaterMark = options.highWaterMark ?? DEVICE_DEFAULTS.liveHighWaterBytes;
    this.resumeGapMs = options.resumeGapMs ?? DEVICE_DEFAULTS.frameStepMs;
    this.cache = new GopCache({ maxBytes: options.gopCacheBytes ?? DEVICE_DEFAULTS.gopCacheMaxBytes });
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Starts a viewer's stream (FLV header + cached GOP now, live tags after). Returns unsubscribe. */
  subscribe(sink: LiveSubscriber): () => void {
    if (this.closed) {
      sink.end?.();
      return () => {};
    }
    const sub: Subscriber = {
      sink,
      // Large jumps are handled explicitly at resume; only a source restart should trigger this.
      rebaser: new TimestampRebaser({ discontinuityStepMs: this.resumeGapMs }),
      stats: { sentTags: 0, droppedTags: 0, resyncs: 0, sentBytes: 0, waitingForKeyframe: true },
    };
    this.subscribers.set(sink, sub);

    // Before any media has arrived, announce both so players do not ignore tracks that come later.
    const known = this.cache.hasAudio || this.cache.hasVideo;
    const header = encodeFlvHeader({ audio: !known || this.cache.hasAudio, video: !known || this.cache.hasVideo });
    if (!this.write(sub, header)) return () => {};

    for (const tag of this.cache.snapshot()) {
      if (isScriptTag(tag) || isSequenceHeader(tag)) {
        this.sendTag(sub, withTimestamp(tag, 0));
      } else {
        // The snapshot's media starts with its keyframe: that is where this viewer's clock starts.
        sub.stats.waitingForKeyframe = false;
        this.sendTag(sub, withTimestamp(tag, sub.rebaser.map(tag.timestamp, avcCompositionTime(tag))));
      }
    }
    return () => {
      this.subscribers.delete(sink);
    };
  }

  stats(sink: LiveSubscriber): SubscriberStats | undefined {
    const sub = this.subscribers.get(sink);
    return sub ? { ...sub.stats } : undefined;
  }

  allStats(): SubscriberStats[] {
    return [...this.subscribers.values()].map((s) => ({ ...s.stats }));
  }

  /** MediaSink: a tag from the source. */
  onTag(tag: FlvTag): void {
    if (this.closed) return;
    this.cache.push(tag);
    for (const sub of [...this.subscribers.values()]) this.deliver(sub, tag);
  }

  /** MediaSink: the source ended, so every viewer's stream ends too. */
  onEnd(error?: Error): void {
    this.close(error);
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    const subs = [...this.subscribers.values()];
    this.subscribers.clear();
    for (const sub of subs) {
      try {
        sub.sink.end?.(error);
      } catch {
        // One viewer's failing cleanup must not stop the others from being told.
      }
    }
  }

  private deliver(sub: Subscriber, tag: FlvTag): void {
    if (isScriptTag(tag) || isSequenceHeader(tag)) {
      // Tiny and essential for decoding whatever comes next: never dropped.
      this.sendTag(sub, withTimestamp(tag, sub.rebaser.lastOutput ?? 0));
      return;
    }
    const { stats } = sub;
    if (sub.sink.bufferedAmount() > this.highWaterMark) {
      // Falling behind: drop the rest of this GOP; a partial GOP would only decode as garbage.
      if (!stats.waitingForKeyframe && sub.rebaser.lastOutput !== undefined) stats.resyncs++;
      stats.waitingForKeyframe = true;
      stats.droppedTags++;
      return;
    }
    if (stats.waitingForKeyframe) {
      if (!startsGop(tag)) {
        stats.droppedTags++; // includes audio: it would play ahead of the picture it belongs to
        return;
      }
      stats.waitingForKeyframe = false;
      // The rebaser continues after the last picture shown, not just the last decode time (B-frames).
      // No-op for a viewer's very first keyframe.
      sub.rebaser.discontinuity();
    }
    this.sendTag(sub, withTimestamp(tag, sub.rebaser.map(tag.timestamp, avcCompositionTime(tag))));
  }

  private sendTag(sub: Subscriber, tag: FlvTag): void {
    if (this.write(sub, encodeFlvTag(tag))) sub.stats.sentTags++;
  }

  /** Writes to one viewer; a viewer whose write throws is dropped without affecting the rest. */
  private write(sub: Subscriber, bytes: Uint8Array): boolean {
    if (!this.subscribers.has(sub.sink)) return false;
    try {
      sub.sink.write(bytes);
      sub.stats.sentBytes += bytes.byteLength;
      return true;
    } catch (err) {
      this.subscribers.delete(sub.sink);
      try {
        sub.sink.end?.(err instanceof Error ? err : new Error(String(err)));
      } catch {
        // already failing; nothing more to tell it
      }
      return false;
    }
  }
}
