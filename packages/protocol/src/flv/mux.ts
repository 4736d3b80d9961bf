/** FLV muxing: turns tags back into bytes (the inverse of FlvDemuxer). */
import { FLV_FILE_HEADER_BYTES, FLV_TAG_HEADER_BYTES, type FlvHeaderFlags, type FlvTag } from './tag.js';

const MAX_DATA_SIZE = 0xffffff; // the DataSize field is 24 bits

/** The 9-byte FLV header followed by PreviousTagSize0 (always 0). */
export function encodeFlvHeader(flags: FlvHeaderFlags): Uint8Array {
  const out = new Uint8Array(FLV_FILE_HEADER_BYTES);
  out.set([0x46, 0x4c, 0x56, 0x01]); // "FLV", version 1
  out[4] = (flags.audio ? 0x04 : 0) | (flags.video ? 0x01 : 0);
  new DataView(out.buffer).setUint32(5, 9); // DataOffset: header size
  return out; // bytes 9..12 (PreviousTagSize0) stay 0
}

/** One tag: 11-byte header + body + PreviousTagSize (= 11 + body length). */
export function encodeFlvTag(tag: FlvTag): Uint8Array {
  const size = tag.data.byteLength;
  if (size > MAX_DATA_SIZE) throw new RangeError(`FLV tag body too large: ${size} bytes`);
  if (!Number.isInteger(tag.timestamp) || tag.timestamp < 0) {
    throw new RangeError(`FLV timestamp must be a non-negative integer, got ${tag.timestamp}`);
  }
  // FLV timestamps are 32-bit and wrap (as RTMP's do) after ~49.7 days of continuous streaming.
  const ts = tag.timestamp >>> 0;
  const out = new Uint8Array(FLV_TAG_HEADER_BYTES + size + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, size); // byte 0 is overwritten by the type just below
  out[0] = tag.type;
  out[4] = (ts >>> 16) & 0xff;
  out[5] = (ts >>> 8) & 0xff;
  out[6] = ts & 0xff;
  out[7] = ts >>> 24; // TimestampExtended: the upper 8 bits
  // bytes 8..10: StreamID, always 0
  out.set(tag.data, FLV_TAG_HEADER_BYTES);
  view.setUint32(FLV_TAG_HEADER_BYTES + size, FLV_TAG_HEADER_BYTES + size);
  return out;
}
