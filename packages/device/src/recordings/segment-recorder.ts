/**
 * Records the live feed into the store as segment files of about `segmentSeconds` each. Every segment is
 * a complete FLV of its own: header, metadata, sequence headers, then media from a keyframe, with
 * timestamps from 0. A segment is cut at the first keyframe once it is long enough, so cuts never split a
 * GOP and playback can start any segment cleanly.
 *
 * Wall-clock times come from the media clock anchored to `now()` once, so a segment's times match its
 * media exactly; the anchor is reset when the two drift apart (a source that stalled or restarted).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import {
  avcCompositionTime,
  encodeFlvHeader,
  encodeFlvTag,
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  FlvDemuxer,
  isScriptTag,
  isSequenceHeader,
  startsGop,
  withTimestamp,
  type FlvHeaderFlags,
  type FlvTag,
} from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from '../defaults.js';
import type { LiveFeed } from '../live-streams.js';
import { RECORDING_TYPE_VIDEO, type RecordingsStore } from './recordings-store.js';
import { segmentFileName, segmentPartName } from './segment-name.js';

export interface SegmentRecorderOptions {
  /** Cut at the first keyframe after this many seconds. Default DEVICE_DEFAULTS.recordingSegmentSeconds. */
  segmentSeconds?: number;
  /** Wall clock in ms (tests). */
  now?: () => number;
  log?: (line: string) => void;
}

interface OpenSegment {
  startMs: number;
  startS: number;
  firstTs: number;
  lastTs: number;
  /** Audio before this (the first picture's presentation time) is left out, see openSegment. */
  audioFromTs: number;
  partName: string;
  out: WriteStream;
  failed: boolean;
}

export class SegmentRecorder {
  private readonly segmentMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private demuxer = new FlvDemuxer();
  private unsubscribe: (() => void) | undefined;
  private header: FlvHeaderFlags = { audio: true, video: true };
  private metadata: FlvTag | undefined;
  private readonly sequenceHeaders = new Map<number, FlvTag>();
  private sawVideo = false;
  private anchor: { wallMs: number; ts: number } | undefined;
  private segment: OpenSegment | undefined;
  /** Segments being finished (flushed, renamed, indexed); stop() waits for them. */
  private finishing = new Set<Promise<void>>();

  constructor(
    private readonly feed: LiveFeed,
    private readonly store: RecordingsStore,
    options: SegmentRecorderOptions = {},
  ) {
    const seconds = options.segmentSeconds ?? DEVICE_DEFAULTS.recordingSegmentSeconds;
    if (!(seconds >= 1)) throw new RangeError(`segmentSeconds must be >= 1, got ${seconds}`);
    this.segmentMs = seconds * 1000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  start(): void {
    if (this.unsubscribe) return;
    this.demuxer = new FlvDemuxer();
    this.anchor = undefined;
    // The recorder keeps up with the disk, never the network: it reports nothing buffered, so the hub
    // never skips frames for it.
    this.unsubscribe = this.feed.subscribe({
      write: (bytes) => this.onBytes(bytes),
      bufferedAmount: () => 0,
      // Recording goes on after any outage; the segment before it ends where the media stopped, and the
      // next one starts at the new source's first keyframe, anchored to the wall clock again.
      keepThroughOutage: true,
      sourceDown: () => this.closeSegment(),
      end: (error) => {
        if (error) this.log(`recording: live feed failed: ${error.message}`);
        this.unsubscribe = undefined;
        this.closeSegment();
      },
    });
  }

  /** Stops recording; the segment in progress is finished and indexed before this resolves. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.closeSegment();
    await Promise.all([...this.finishing]);
  }

  private onBytes(bytes: Uint8Array): void {
    let tags: FlvTag[];
    try {
      tags = this.demuxer.push(bytes);
    } catch (err) {
      this.log(`recording: feed is not FLV (${String(err)}); restarting the recorder's parser`);
      this.demuxer = new FlvDemuxer();
      return;
    }
    if (this.demuxer.header) this.header = this.demuxer.header;
    for (const tag of tags) this.onTag(tag);
  }

  private onTag(tag: FlvTag): void {
    if (isScriptTag(tag)) {
      this.metadata = tag;
      this.writeTag(tag);
      return;
    }
    if (isSequenceHeader(tag)) {
      this.sequenceHeaders.set(tag.type, tag);
      if (tag.type === FLV_TAG_VIDEO) this.sawVideo = true;
      this.writeTag(tag);
      return;
    }
    if (tag.type === FLV_TAG_VIDEO) this.sawVideo = true;
    // Audio-only cameras have no keyframes: any audio frame is a clean place to start.
    const canStart = startsGop(tag) || (!this.sawVideo && tag.type === FLV_TAG_AUDIO);
    const seg = this.segment;
    if (!seg) {
      if (canStart) this.openSegment(tag);
      return; // media before the first keyframe cannot be decoded
    }
    if (canStart && tag.timestamp - seg.firstTs >= this.segmentMs) {
      this.closeSegment();
      this.openSegment(tag);
      return;
    }
    this.writeTag(tag);
  }

  private openSegment(first: FlvTag): void {
    const nowMs = this.now();
    let startMs = this.anchor ? this.anchor.wallMs + (first.timestamp - this.anchor.ts) : nowMs;
    if (!this.anchor || Math.abs(startMs - nowMs) > DEVICE_DEFAULTS.recordingMaxClockDriftMs) {
      this.anchor = { wallMs: nowMs, ts: first.timestamp };
      startMs = nowMs;
    }
    const startS = Math.floor(startMs / 1000);
    const partName = segmentPartName(startS);
    const out = createWriteStream(this.store.pathOf(partName));
    const seg: OpenSegment = {
      startMs,
      startS,
      firstTs: first.timestamp,
      lastTs: first.timestamp,
      // Audio that comes before the first picture is shown would play over nothing, and decoders take the
      // earliest timestamp as the file's start, which can put the frame clock half a frame off (ffmpeg
      // then sees two pictures on one tick). Costs nothing without B-frames (composition time 0).
      audioFromTs: first.timestamp + Math.max(0, avcCompositionTime(first)),
      partName,
      out,
      failed: false,
    };
    out.on('error', (err) => {
      if (!seg.failed) this.log(`recording: cannot write ${partName}: ${err.message}`);
      seg.failed = true;
    });
    this.segment = seg;
    out.write(encodeFlvHeader(this.header));
    if (this.metadata) out.write(encodeFlvTag(withTimestamp(this.metadata, 0)));
    for (const sh of this.sequenceHeaders.values()) out.write(encodeFlvTag(withTimestamp(sh, 0)));
    this.writeTag(first);
  }

  private writeTag(tag: FlvTag): void {
    const seg = this.segment;
    if (!seg || seg.failed) return;
    const ts = Math.max(0, tag.timestamp - seg.firstTs);
    const media = !isScriptTag(tag) && !isSequenceHeader(tag);
    if (media && tag.type === FLV_TAG_AUDIO && tag.timestamp < seg.audioFromTs) return;
    if (media) seg.lastTs = Math.max(seg.lastTs, tag.timestamp);
    seg.out.write(encodeFlvTag(withTimestamp(tag, ts)));
  }

  private closeSegment(): void {
    const seg = this.segment;
    if (!seg) return;
    this.segment = undefined;
    const job = this.finishSegment(seg).catch((err: unknown) => this.log(`recording: ${String(err)}`));
    this.finishing.add(job);
    void job.finally(() => this.finishing.delete(job));
  }

  private async finishSegment(seg: OpenSegment): Promise<void> {
    await new Promise<void>((resolve) => seg.out.end(() => resolve()));
    const partPath = this.store.pathOf(seg.partName);
    if (seg.failed) {
      await rm(partPath, { force: true });
      return;
    }
    const endS = Math.max(seg.startS + 1, Math.ceil((seg.startMs + (seg.lastTs - seg.firstTs)) / 1000));
    const name = segmentFileName(seg.startS, endS);
    await rename(partPath, this.store.pathOf(name));
    const { size } = await stat(this.store.pathOf(name));
    await this.store.add({
      file_name: name,
      start_time: seg.startS,
      end_time: endS,
      file_size: size,
      type: RECORDING_TYPE_VIDEO,
    });
  }
}
