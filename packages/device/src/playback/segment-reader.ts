/**
 * Reads one recording's tags from the keyframe at or before a position: configuration tags (metadata,
 * sequence headers) always come through; media before that keyframe is skipped. The GOP being read is
 * held until it is known to be the right one, which is at most one GOP in memory.
 */
import {
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  isScriptTag,
  isSequenceHeader,
  startsGop,
  type FlvHeaderFlags,
  type FlvTag,
} from '@xp2p/protocol';
import { readFlvTags } from '../recordings/flv-file.js';

export async function* tagsFromKeyframe(
  path: string,
  fromMs: number,
  onHeader?: (flags: FlvHeaderFlags) => void,
): AsyncGenerator<FlvTag> {
  let passing = false;
  let gop: FlvTag[] = [];
  let sawVideo = false;
  for await (const tag of readFlvTags(path, onHeader)) {
    if (passing || isScriptTag(tag) || isSequenceHeader(tag)) {
      yield tag;
      continue;
    }
    if (tag.type === FLV_TAG_VIDEO) sawVideo = true;
    // Audio-only recordings have no keyframes: every audio frame is a place to start.
    const canStart = startsGop(tag) || (!sawVideo && tag.type === FLV_TAG_AUDIO);
    if (canStart && tag.timestamp <= fromMs) {
      gop = [tag];
      continue;
    }
    if (canStart || (gop.length > 0 && tag.timestamp >= fromMs)) {
      // Reached the position: the GOP held so far is where playback starts (or, if the file starts
      // after the position, this keyframe is).
      passing = true;
      yield* gop;
      gop = [];
      yield tag;
      continue;
    }
    if (gop.length > 0) gop.push(tag);
  }
  // The position is in the last GOP of the file.
  yield* gop;
}
