/**
 * One viewer's playback of the recordings between two unix times, as a single continuous FLV stream:
 * one header, the metadata and sequence headers once (again only if they change), then media from the
 * keyframe at or before the start, across as many segment files as the range covers, with timestamps
 * from 0 that never go backwards. Ends (eof) at the end time or when the recordings run out.
 *
 * Paced at `speed` × real time (`'max'`: as fast as the channel drains). Pause, resume and seek come
 * from the viewer's commands on other channels of the same session (PlaybackRegistry).
 *
 * Recording files are assumed to start their own timeline at 0 (the recorder's do; ffmpeg's files do),
 * so a tag's wall time is the segment's start_time plus its timestamp. Gaps between recordings are
 * skipped, not waited out.
 */
import {
  avcCompositionTime,
  encodeFlvHeader,
  encodeFlvTag,
  FLV_TAG_AUDIO,
  isScriptTag,
  isSequenceHeader,
  startsGop,
  TimestampRebaser,
  withTimestamp,
  type FlvTag,
} from '@xp2p/protocol';
import { RequestError } from '../http-like.js';
import type { RecordingEntry, RecordingsStore } from '../recordings/recordings-store.js';
import type { ResponseWriter } from '../response-writer.js';
import { tagsFromKeyframe } from './segment-reader.js';
import { DEVICE_DEFAULTS } from '../defaults.js';

export type PlaybackSpeed = number | 'max';

export interface PlaybackProgress {
  /** unix seconds of what is being sent now */
  time: number;
  start_time: number;
  end_time: number;
  paused: boolean;
}

export interface PlaybackStreamOptions {
  speed: PlaybackSpeed;
  /** Wait for the channel to drain above this many buffered bytes. */
  highWaterBytes: number;
  log?: (line: string) => void;
}

type SegmentOutcome = 'next' | 'seek' | 'end' | 'stopped';

export class PlaybackStream {
  private paused = false;
  private stopped = false;
  private seekToMs: number | undefined;
  private positionMs: number;
  private wake: (() => void) | undefined;
  private readonly rebaser = new TimestampRebaser({ discontinuityStepMs: DEVICE_DEFAULTS.frameStepMs });
  private headerSent = false;
  private metadataSent = false;
  private readonly lastSequenceHeaders = new Map<number, Uint8Array>();
  /** Pacing anchor: this output timestamp was due at this performance.now(). Reset on resume and seek. */
  private clock: { perfMs: number; outMs: number } | undefined;
  /** After a (re)start: audio before the first picture's presentation time is skipped. */
  private restart: { audioFromTs: number | undefined } | undefined = { audioFromTs: undefined };

  constructor(
    private readonly store: RecordingsStore,
    readonly startS: number,
    readonly endS: number,
    private readonly res: ResponseWriter,
    private readonly o: PlaybackStreamOptions,
  ) {
    this.positionMs = startS * 1000;
    res.onClose(() => this.stop());
  }

  progress(): PlaybackProgress {
    return {
      time: Math.floor(this.positionMs / 1000),
      start_time: this.startS,
      end_time: this.endS,
      paused: this.paused,
    };
  }

  pause(): void {
    this.paused = true;
    this.poke();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.clock = undefined; // the time spent paused is not owed
    this.poke();
  }

  /** Jumps to the keyframe at or before `timeS` (unix s, within the playback's range). */
  seek(timeS: number): void {
    if (timeS < this.startS || timeS >= this.endS) {
      throw new RequestError(400, `seek time must be within ${this.startS}..${this.endS - 1}`);
    }
    this.seekToMs = timeS * 1000;
    this.positionMs = timeS * 1000;
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    this.poke();
  }

  get running(): boolean {
    return !this.stopped;
  }

  async run(): Promise<void> {
    let list = this.store.inRange(this.startS, this.endS);
    let index = pickSegment(list, this.startS * 1000);
    let fromMs = Math.max(0, this.startS * 1000 - (list[index]?.start_time ?? 0) * 1000);
    this.res.head(200, {
      'content-type': 'video/x-flv',
      'x-start-time': String(this.startS),
      'x-end-time': String(this.endS),
    });
    while (!this.stopped && index < list.length) {
      const outcome = await this.playSegment(list[index]!, fromMs);
      if (outcome === 'stopped' || outcome === 'end') break;
      if (outcome === 'seek') {
        const target = this.seekToMs!;
        this.seekToMs = undefined;
        list = this.store.inRange(this.startS, this.endS); // pruning may have changed it
        index = pickSegment(list, target);
        fromMs = Math.max(0, target - (list[index]?.start_time ?? 0) * 1000);
        this.rebaser.discontinuity();
        this.restart = { audioFromTs: undefined };
        this.clock = undefined;
        continue;
      }
      index++;
      fromMs = 0;
      this.rebaser.discontinuity();
    }
    this.stopped = true;
    if (!this.res.closed) this.res.end();
  }

  private async playSegment(seg: RecordingEntry, fromMs: number): Promise<SegmentOutcome> {
    const segStartMs = seg.start_time * 1000;
    const tags = tagsFromKeyframe(this.store.pathOf(seg.file_name), fromMs, (flags) => {
      if (this.headerSent) return;
      this.headerSent = true;
      this.res.write(encodeFlvHeader(flags));
    });
    try {
      for await (const tag of tags) {
        if (this.stopped || this.res.closed) return 'stopped';
        if (this.seekToMs !== undefined) return 'seek';
        if (isScriptTag(tag)) {
          if (!this.metadataSent) this.send(withTimestamp(tag, 0));
          this.metadataSent = true;
          continue;
        }
        if (isSequenceHeader(tag)) {
          if (!sameBytes(this.lastSequenceHeaders.get(tag.type), tag.data)) {
            this.lastSequenceHeaders.set(tag.type, tag.data);
            this.send(withTimestamp(tag, this.rebaser.lastOutput ?? 0));
          }
          continue;
        }
        const wallMs = segStartMs + tag.timestamp;
        if (wallMs >= this.endS * 1000) return 'end';
        if (this.restart) {
          // Audio before the first picture is shown would play over nothing (see SegmentRecorder).
          if (startsGop(tag)) this.restart.audioFromTs ??= tag.timestamp + Math.max(0, avcCompositionTime(tag));
          const from = this.restart.audioFromTs;
          if (from !== undefined && tag.type === FLV_TAG_AUDIO && tag.timestamp < from) continue;
          if (from !== undefined && tag.timestamp >= from) this.restart = undefined;
        }
        const out = this.rebaser.map(tag.timestamp, avcCompositionTime(tag));
        if (!(await this.pace(out))) return this.stopped ? 'stopped' : 'seek';
        this.positionMs = wallMs;
        this.send(withTimestamp(tag, out));
        if (this.res.bufferedAmount > this.o.highWaterBytes) await this.res.drained(this.o.highWaterBytes / 2);
      }
      return 'next';
    } catch (err) {
      this.o.log?.(`playback: cannot read ${seg.file_name}: ${String(err)}`);
      return 'next';
    } finally {
      await tags.return(undefined);
    }
  }

  /** Waits until the tag is due (and not paused). False if a seek or stop came in meanwhile. */
  private async pace(outMs: number): Promise<boolean> {
    for (;;) {
      if (this.stopped || this.seekToMs !== undefined) return false;
      if (this.paused) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      if (this.o.speed === 'max') return true;
      const now = performance.now();
      this.clock ??= { perfMs: now, outMs };
      const due = this.clock.perfMs + (outMs - this.clock.outMs) / this.o.speed;
      if (due <= now + 1) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, due - now);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private send(tag: FlvTag): void {
    if (!this.headerSent) {
      this.headerSent = true;
      this.res.write(encodeFlvHeader({ audio: true, video: true }));
    }
    this.res.write(encodeFlvTag(tag));
  }
}

/** Index of the recording that holds `ms`, or the first one after it (a gap), or list.length. */
function pickSegment(list: readonly RecordingEntry[], ms: number): number {
  let found = -1;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.start_time * 1000 <= ms && e.end_time * 1000 > ms) found = i; // the latest that holds it
  }
  if (found >= 0) return found;
  const after = list.findIndex((e) => e.start_time * 1000 > ms);
  return after >= 0 ? after : list.length;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
