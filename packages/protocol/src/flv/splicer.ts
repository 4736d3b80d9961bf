/**
 * Joins successive runs of a live source (an upstream that dropped and was opened again) into one FLV
 * timeline: after `restart()`, media resumes at the new run's first keyframe, right after the last picture
 * already sent, and codec configuration passes at once (a new run may bring new parameters).
 */
import { avcCompositionTime, isScriptTag, isSequenceHeader, startsGop } from './inspect.js';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, type FlvTag } from './tag.js';
import { TimestampRebaser, withTimestamp } from './timestamps.js';

export class FlvSplicer {
  private readonly rebaser: TimestampRebaser;
  private waitingForKeyframe = false;
  private sawVideo = false;
  private lastVideoTs: number | undefined;

  /** `resumeGapMs`: how far after the last picture a new run starts (about one frame). */
  constructor(resumeGapMs = 33) {
    this.rebaser = new TimestampRebaser({ discontinuityStepMs: resumeGapMs });
  }

  /** The source starts over: drop media until its first keyframe, then continue the timeline. */
  restart(): void {
    if (this.rebaser.lastOutput === undefined) return;
    this.waitingForKeyframe = true;
    this.rebaser.discontinuity();
  }

  /** The tag as it goes out, or undefined when it is dropped (media before a run's first keyframe). */
  map(tag: FlvTag): FlvTag | undefined {
    if (isScriptTag(tag) || isSequenceHeader(tag)) return withTimestamp(tag, this.rebaser.lastOutput ?? 0);
    if (tag.type === FLV_TAG_VIDEO) this.sawVideo = true;
    if (this.waitingForKeyframe) {
      // audio-only sources have no keyframes: any audio frame is a clean start
      const clean = startsGop(tag) || (!this.sawVideo && tag.type === FLV_TAG_AUDIO);
      if (!clean) return undefined;
      this.waitingForKeyframe = false;
    }
    let ts = this.rebaser.map(tag.timestamp, avcCompositionTime(tag));
    if (tag.type === FLV_TAG_VIDEO) {
      // strictly increasing picture decode times: some sources (ffmpeg reading RTSP) stamp the first two alike
      if (this.lastVideoTs !== undefined && ts <= this.lastVideoTs) ts = this.lastVideoTs + 1;
      this.lastVideoTs = ts;
    }
    return withTimestamp(tag, ts);
  }
}
