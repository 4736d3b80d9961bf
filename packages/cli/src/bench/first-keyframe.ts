/** Watches an FLV byte stream and notes when the first video keyframe tag has fully arrived. */
import { FlvDemuxer, isVideoKeyframe, isAvcSequenceHeader } from '@xp2p/protocol';

export class FirstKeyframeWatch {
  private readonly demuxer = new FlvDemuxer();
  firstByteAt: number | undefined;
  firstKeyframeAt: number | undefined;

  push(bytes: Uint8Array, now = performance.now()): void {
    this.firstByteAt ??= now;
    if (this.firstKeyframeAt !== undefined) return;
    for (const tag of this.demuxer.push(bytes)) {
      if (isVideoKeyframe(tag) && !isAvcSequenceHeader(tag)) {
        this.firstKeyframeAt = now;
        return;
      }
    }
  }
}
