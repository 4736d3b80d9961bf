/** Timestamp rewriting: loop a file seamlessly and start every viewer's stream at 0. */
import type { FlvTag } from './tag.js';

/** A copy of the tag with a new timestamp (the body is shared, not copied). */
export function withTimestamp(tag: FlvTag, timestamp: number): FlvTag {
  return { type: tag.type, timestamp, data: tag.data };
}

export interface TimestampRebaserOptions {
  /** Output for the first input timestamp. Default 0. */
  base?: number;
  /**
   * Input going backwards by up to this much is normal audio/video interleaving jitter and is
   * clamped; further back is a discontinuity (a source restart or loop). Default 500 ms.
   */
  maxBackwardMs?: number;
  /** Input jumping forward by more than this is a discontinuity too. Default 10 s. */
  maxForwardMs?: number;
  /** How far past the last output a new segment starts after a discontinuity. Default 0. */
  discontinuityStepMs?: number;
}

/**
 * Maps an input timestamp sequence to one that starts at `base` and never goes backwards.
 * Between discontinuities the spacing of the input is preserved exactly (out = in + offset);
 * at a discontinuity the offset is recomputed so the new segment continues where output left off:
 * after the last decode time AND the last picture time. With B-frames a picture is shown up to a few
 * frames after its decode time (its AVC composition offset, passed to `map`); a keyframe placed only after
 * the last decode time would be shown before pictures already sent, and players see time going back.
 */
export class TimestampRebaser {
  private readonly base: number;
  private readonly maxBackwardMs: number;
  private readonly maxForwardMs: number;
  private readonly stepMs: number;
  private pendingStepMs = 0;
  private offset = 0;
  private lastIn: number | undefined;
  private lastOut: number | undefined;
  /** the latest output + composition offset: when the last picture sent is shown */
  private lastPresentation: number | undefined;
  private breakPending = false;

  constructor(options: TimestampRebaserOptions = {}) {
    this.base = options.base ?? 0;
    this.maxBackwardMs = options.maxBackwardMs ?? 500;
    this.maxForwardMs = options.maxForwardMs ?? 10_000;
    this.stepMs = options.discontinuityStepMs ?? 0;
  }

  /** The last timestamp returned by `map`, if any. */
  get lastOutput(): number | undefined {
    return this.lastOut;
  }

  /** Treat the next input as the start of a new segment (e.g. after deliberately dropping frames). */
  discontinuity(stepMs: number = this.stepMs): void {
    if (this.lastOut !== undefined) {
      this.breakPending = true;
      this.pendingStepMs = stepMs;
    }
  }

  /** `compositionMs`: the tag's AVC composition offset (picture time − decode time), 0 for anything else. */
  map(input: number, compositionMs = 0): number {
    if (this.lastIn === undefined || this.lastOut === undefined) {
      this.offset = this.base - input;
      this.lastIn = input;
      return this.record(this.base, compositionMs);
    }
    const delta = input - this.lastIn;
    if (this.breakPending || delta < -this.maxBackwardMs || delta > this.maxForwardMs) {
      const step = this.breakPending ? this.pendingStepMs : this.stepMs;
      const after = Math.max(this.lastOut, (this.lastPresentation ?? this.lastOut) - compositionMs);
      this.offset = after + step - input;
      this.breakPending = false;
    }
    this.lastIn = input;
    return this.record(Math.max(input + this.offset, this.lastOut), compositionMs);
  }

  private record(out: number, compositionMs: number): number {
    this.lastOut = out;
    this.lastPresentation = Math.max(this.lastPresentation ?? out, out + compositionMs);
    return out;
  }
}
