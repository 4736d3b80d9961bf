/**
 * Fans one live source out to many viewers. Each viewer gets a self-contained FLV stream that
 * starts at a keyframe with timestamp 0, and a slow viewer loses whole GOPs instead of slowing
 * the others down or making the device buffer without bound.
 */
import {
  avcCompositionTime,
  encodeFlvHeader,
  encodeFlvTag,
  FLV_TAG_VIDEO,
  isScriptTag,
  isSequenceHeader,
  startsGop,
  TimestampRebaser,
  withTimestamp,
  type FlvTag,
} from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from '../defaults.js';
import { GopCache } from './gop-cache.js';
import type { OutageSink } from './reopening-source.js';

export interface LiveSubscriber {
  write(bytes: Uint8Array): void;
  /** Bytes written but not yet sent on (e.g. a data channel's bufferedAmount). */
  bufferedAmount(): number;
  /** Told when the hub closes or its source ends (error = why). */
  end?(error?: Error): void;
  /** Told when the source goes down (it is being reopened); media resumes at a keyframe when it is back. */
  sourceDown?(error: Error): void;
  /** Kept through an outage of any length (a recorder); others are ended after `outageMaxMs`. */
  keepThroughOutage?: boolean;
}

/** How the camera's source is doing, as get_device_st reports it. */
export type SourceStatus =
  { state: 'starting' } | { state: 'live' } | { state: 'down'; reason: string; sinceMs: number };

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
  /** Viewers wait this long through a source outage, then their stream ends. Default DEVICE_DEFAULTS.liveOutageMaxMs. */
  outageMaxMs?: number;
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
  /** The last video decode time sent: each picture must come after it (see mediaTimestamp). */
  lastVideoTs?: number;
}

export class LiveHub implements OutageSink {
  private readonly highWaterMark: number;
  private readonly resumeGapMs: number;
  private readonly gopCacheBytes: number;
  private readonly outageMaxMs: number;
  private cache: GopCache;
  private readonly subscribers = new Map<LiveSubscriber, Subscriber>();
  private closed = false;
  private status: SourceStatus = { state: 'starting' };
  private outageTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LiveHubOptions = {}) {
    this.highWaterMark = options.highWaterMark ?? DEVICE_DEFAULTS.liveHighWaterBytes;
    this.resumeGapMs = options.resumeGapMs ?? DEVICE_DEFAULTS.frameStepMs;
    this.gopCacheBytes = options.gopCacheBytes ?? DEVICE_DEFAULTS.gopCacheMaxBytes;
    this.outageMaxMs = options.outageMaxMs ?? DEVICE_DEFAULTS.liveOutageMaxMs;
    this.cache = new GopCache({ maxBytes: this.gopCacheBytes });
  }

  sourceStatus(): SourceStatus {
    return this.status;
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
        this.sendTag(sub, withTimestamp(tag, this.mediaTimestamp(sub, tag)));
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
    if (this.status.state !== 'live') this.status = { state: 'live' };
    this.cache.push(tag);
    for (const sub of [...this.subscribers.values()]) this.deliver(sub, tag);
  }

  /** MediaSink: the source ended for good, so every viewer's stream ends too. */
  onEnd(error?: Error): void {
    this.close(error);
  }

  /**
   * OutageSink: the source went down and is being reopened. Viewers stay, each resuming at the new source's
   * first keyframe on one timeline (the rebaser continues after the last picture it sent); the cached GOP
   * belongs to the old source and is dropped. Viewers that cannot wait for ever are ended after the bound.
   */
  onDown(error: Error): void {
    if (this.closed) return;
    this.status = { state: 'down', reason: error.message, sinceMs: Date.now() };
    this.cache = new GopCache({ maxBytes: this.gopCacheBytes });
    for (const sub of [...this.subscribers.values()]) {
      sub.stats.waitingForKeyframe = true;
      try {
        sub.sink.sourceDown?.(error);
      } catch {
        // a subscriber's failing hook must not stop the others from being told
      }
    }
    clearTimeout(this.outageTimer);
    this.outageTimer = setTimeout(() => this.endImpatientSubscribers(error), this.outageMaxMs);
  }

  /** OutageSink: media flows again; the next tags go to every waiting viewer from their keyframe. */
  onUp(): void {
    clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
  }

  private endImpatientSubscribers(error: Error): void {
    const why = new Error(`camera source down for ${Math.round(this.outageMaxMs / 1000)} s: ${error.message}`);
    for (const sub of [...this.subscribers.values()]) {
      if (sub.sink.keepThroughOutage) continue;
      this.subscribers.delete(sub.sink);
      try {
        sub.sink.end?.(why);
      } catch {
        // already ending
      }
    }
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.outageTimer);
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
    this.sendTag(sub, withTimestamp(tag, this.mediaTimestamp(sub, tag)));
  }

  /**
   * The viewer's timestamp for a media tag. Pictures get strictly increasing decode times: some sources
   * (ffmpeg copying RTSP, at every (re)start) stamp a keyframe and the next picture alike, and muxers and
   * players refuse or drop a picture whose decode time does not move forward.
   */
  private mediaTimestamp(sub: Subscriber, tag: FlvTag): number {
    let ts = sub.rebaser.map(tag.timestamp, avcCompositionTime(tag));
    if (tag.type === FLV_TAG_VIDEO) {
      if (sub.lastVideoTs !== undefined && ts <= sub.lastVideoTs) ts = sub.lastVideoTs + 1;
      sub.lastVideoTs = ts;
    }
    return ts;
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
