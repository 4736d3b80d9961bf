/**
 * One continuous live FLV stream out of several camera responses. When the session reconnects (a fresh
 * peer connection after the network path broke, see ipc-session.ts) the live request is issued again, and
 * the camera answers with a new FLV stream of its own: FLV header, metadata, sequence headers, then its GOP
 * cache from a keyframe, with timestamps from 0. Appending that as it is would hand the app a second FLV
 * header and a clock going back to 0, which players and decoders reject. This splicer instead:
 * - passes only whole tags on (a response cut mid-tag by the broken path loses the partial tag, not sync);
 * - drops the resumed response's FLV header and metadata, keeps its sequence headers;
 * - resumes at a keyframe (audio before it would play ahead of the picture) and shifts the new
 *   response's timeline to continue just after the last picture delivered, so timestamps never go back.
 * The first response passes through unchanged (same bytes, grouped at tag boundaries).
 */
import {
  avcCompositionTime,
  concatBytes,
  encodeFlvHeader,
  encodeFlvTag,
  FLV_TAG_VIDEO,
  FlvDemuxer,
  isScriptTag,
  isSequenceHeader,
  startsGop,
  type FlvTag,
} from '@xp2p/protocol';

/** A resumed stream starts this long after the last picture (one frame at 30 fps). */
const RESUME_GAP_MS = 33;

export class LiveFlvSplicer {
  private demuxer = new FlvDemuxer();
  private resumed = false;
  private headerSent = false;
  private hasVideo = true;
  /** waiting for the resumed response's first keyframe */
  private waitingForKeyframe = false;
  /** added to the resumed response's timestamps */
  private offset = 0;
  /** the largest timestamp delivered (decode time) and the latest picture time (decode + composition) */
  private lastTimestamp: number | undefined;
  private lastPresentation = 0;
  /** times the stream was resumed */
  resumes = 0;

  /** Bytes of the current response in; whole, retimed tags out (empty when none completed). */
  push(chunk: Uint8Array): Uint8Array {
    const tags = this.demuxer.push(chunk);
    const parts: Uint8Array[] = [];
    const header = this.demuxer.header;
    if (header && !this.headerSent) {
      this.headerSent = true;
      this.hasVideo = header.video;
      parts.push(encodeFlvHeader(header));
    }
    for (const tag of tags) {
      const out = this.retime(tag);
      if (out) parts.push(encodeFlvTag(out));
    }
    // one part (the usual case: a whole frame of tags) goes out as it is, without a copy
    return parts.length === 1 ? parts[0]! : concatBytes(parts);
  }

  /** The next bytes are a new response to the same live request (after a reconnect). */
  resume(): void {
    this.demuxer = new FlvDemuxer();
    this.resumed = true;
    this.resumes++;
    this.waitingForKeyframe = true;
  }

  private retime(tag: FlvTag): FlvTag | undefined {
    if (!this.resumed) return this.delivered(tag);
    if (isScriptTag(tag)) return undefined; // metadata was sent at the start; a second copy adds nothing
    if (isSequenceHeader(tag)) return this.delivered({ ...tag, timestamp: this.lastTimestamp ?? 0 });
    if (this.waitingForKeyframe) {
      if (this.hasVideo ? !startsGop(tag) : false) return undefined;
      this.waitingForKeyframe = false;
      const last = this.lastTimestamp ?? 0;
      // continue after the last picture shown, not only the last decode time (B-frames display later)
      const start = Math.max(last + RESUME_GAP_MS, this.lastPresentation + RESUME_GAP_MS - avcCompositionTime(tag));
      this.offset = start - tag.timestamp;
    }
    return this.delivered({ ...tag, timestamp: Math.max(0, tag.timestamp + this.offset) });
  }

  private delivered(tag: FlvTag): FlvTag {
    this.lastTimestamp = Math.max(this.lastTimestamp ?? 0, tag.timestamp);
    if (tag.type === FLV_TAG_VIDEO && !isSequenceHeader(tag)) {
      this.lastPresentation = Math.max(this.lastPresentation, tag.timestamp + avcCompositionTime(tag));
    }
    return tag;
  }
}
