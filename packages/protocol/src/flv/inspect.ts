/** Reads the codec bits at the start of audio/video tag bodies (FLV spec, E.4.2 / E.4.3). */
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTag } from './tag.js';

export const VIDEO_CODEC_AVC = 7;
export const SOUND_FORMAT_AAC = 10;

const VIDEO_FRAME_KEY = 1;

export const isScriptTag = (tag: FlvTag): boolean => tag.type === FLV_TAG_SCRIPT;

/** Low nibble of the first video byte (7 = H.264/AVC); undefined for non-video or empty tags. */
export function videoCodecId(tag: FlvTag): number | undefined {
  if (tag.type !== FLV_TAG_VIDEO || tag.data.byteLength < 1) return undefined;
  return tag.data[0]! & 0x0f;
}

/**
 * Frame type 1. Masks bit 7 so Enhanced-RTMP tags (IsExHeader) are read correctly too.
 * Note that AVC sequence headers also carry frame type 1: use `startsGop` for "first picture of a GOP".
 */
export function isVideoKeyframe(tag: FlvTag): boolean {
  if (tag.type !== FLV_TAG_VIDEO || tag.data.byteLength < 1) return false;
  return ((tag.data[0]! >> 4) & 0x07) === VIDEO_FRAME_KEY;
}

/** AVC decoder configuration record (codec 7, AVCPacketType 0). */
export function isAvcSequenceHeader(tag: FlvTag): boolean {
  return videoCodecId(tag) === VIDEO_CODEC_AVC && tag.data.byteLength >= 2 && tag.data[1] === 0;
}

/** AVC end-of-sequence marker (AVCPacketType 2): ffmpeg writes one as the last tag of a file. */
export function isAvcEndOfSequence(tag: FlvTag): boolean {
  return videoCodecId(tag) === VIDEO_CODEC_AVC && tag.data.byteLength >= 2 && tag.data[1] === 2;
}

/** AudioSpecificConfig (sound format 10, AACPacketType 0). */
export function isAacSequenceHeader(tag: FlvTag): boolean {
  return (
    tag.type === FLV_TAG_AUDIO &&
    tag.data.byteLength >= 2 &&
    tag.data[0]! >> 4 === SOUND_FORMAT_AAC &&
    tag.data[1] === 0
  );
}

/** Any codec configuration tag (decoders need it before the first frame, so it is never dropped). */
export const isSequenceHeader = (tag: FlvTag): boolean => isAvcSequenceHeader(tag) || isAacSequenceHeader(tag);

/**
 * A keyframe that carries a picture, i.e. where a decoder can start: frame type 1 and, for AVC,
 * AVCPacketType 1 (NALUs) rather than a sequence header or end-of-sequence marker.
 */
export function startsGop(tag: FlvTag): boolean {
  if (!isVideoKeyframe(tag)) return false;
  return videoCodecId(tag) !== VIDEO_CODEC_AVC || tag.data[1] === 1;
}

/** AVC CompositionTime (pts - dts, signed 24-bit ms); 0 for anything that is not an AVC NALU tag. */
export function avcCompositionTime(tag: FlvTag): number {
  if (videoCodecId(tag) !== VIDEO_CODEC_AVC || tag.data.byteLength < 5 || tag.data[1] !== 1) return 0;
  const raw = (tag.data[2]! << 16) | (tag.data[3]! << 8) | tag.data[4]!;
  return raw & 0x800000 ? raw - 0x1000000 : raw;
}
