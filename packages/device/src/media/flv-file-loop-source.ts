/** Plays an FLV file as if it were a live camera: real-time pacing, optional seamless looping. */
import { readFile } from 'node:fs/promises';
import {
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  isAvcEndOfSequence,
  isScriptTag,
  isSequenceHeader,
  parseFlv,
  withTimestamp,
  type FlvTag,
} from '@xp2p/protocol';
import type { MediaSink, MediaSource } from './media-source.js';
import { DEVICE_DEFAULTS } from '../defaults.js';

export interface FlvFileLoopSourceOptions {
  /** Start again from the beginning after the last tag. Default true. */
  loop?: boolean;
}

/** Timers are coarse; waking slightly early and emitting everything due avoids a late tail. */
const TIMER_SLACK_MS = 1;

export class FlvFileLoopSource implements MediaSource {
  readonly description: string;
  private readonly loop: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly path: string,
    options: FlvFileLoopSourceOptions = {},
  ) {
    this.loop = options.loop ?? true;
    this.description = `FLV file ${path}${this.loop ? ' (looping)' : ''}`;
  }

  start(sink: MediaSink): void {
    readFile(this.path).then(
      (bytes) => {
        if (this.stopped) return;
        let tags: FlvTag[];
        try {
          tags = parseFlv(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).tags;
        } catch (err) {
          sink.onEnd(new Error(`cannot play ${this.path}: ${(err as Error).message}`, { cause: err }));
          return;
        }
        this.play(tags, sink);
      },
      (err: Error) => {
        if (!this.stopped) sink.onEnd(new Error(`cannot read ${this.path}: ${err.message}`, { cause: err }));
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private play(tags: FlvTag[], sink: MediaSink): void {
    // An end-of-sequence marker mid-stream would make decoders flush and stall at every loop.
    const body = tags.filter((t) => !isAvcEndOfSequence(t));
    // Metadata and codec configuration are sent once; repeating them each loop could reset players.
    const repeating = body.filter((t) => !isScriptTag(t) && !isSequenceHeader(t));
    if (repeating.length === 0) {
      sink.onEnd(new Error(`${this.path} has no audio or video frames`));
      return;
    }
    const first = Math.min(...body.map((t) => t.timestamp));
    // The next pass starts one frame after the last one. Audio and video each get their own
    // "last + one frame", and the later wins, so neither track's timeline overlaps the next pass.
    const loopLength = Math.max(endOfTrack(repeating, FLV_TAG_VIDEO), endOfTrack(repeating, FLV_TAG_AUDIO)) - first;

    let pass = 0; // how many times the file has been played through
    let index = 0;
    let list = body;
    let lastOut = 0;
    const startedAt = performance.now();

    // Each tag is due at startedAt + its output timestamp, so timer lateness never accumulates.
    const pump = (): void => {
      this.timer = undefined;
      if (this.stopped) return;
      const now = performance.now();
      for (;;) {
        if (index >= list.length) {
          if (!this.loop) {
            sink.onEnd();
            return;
          }
          pass++;
          index = 0;
          list = repeating;
        }
        const tag = list[index]!;
        // Never go backwards, even if the file itself interleaves audio slightly behind video.
        const out = Math.max(lastOut, tag.timestamp - first + pass * loopLength);
        const due = startedAt + out;
        if (due > now + TIMER_SLACK_MS) {
          this.timer = setTimeout(pump, due - now);
          return;
        }
        lastOut = out;
        index++;
        sink.onTag(withTimestamp(tag, out));
        if (this.stopped) return; // the sink may stop us from inside onTag
      }
    };
    pump();
  }
}

/** Last timestamp of a track plus its frame duration (the median spacing of its tags); 0 if absent. */
function endOfTrack(tags: readonly FlvTag[], type: FlvTag['type']): number {
  const times = tags.filter((t) => t.type === type).map((t) => t.timestamp);
  if (times.length === 0) return 0;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap > 0) gaps.push(gap);
  }
  gaps.sort((a, b) => a - b);
  const frame = gaps[Math.floor(gaps.length / 2)] ?? DEVICE_DEFAULTS.frameStepMs; // fewer than two frames to measure from
  return Math.max(...times) + frame;
}
