/** The FLV tag model shared by the muxer, the demuxer and the inspection helpers. */
export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

export type FlvTagType = typeof FLV_TAG_AUDIO | typeof FLV_TAG_VIDEO | typeof FLV_TAG_SCRIPT;

export interface FlvTag {
  type: FlvTagType;
  /** Milliseconds, the full 32-bit value (24-bit field + the extended upper byte). */
  timestamp: number;
  /** The tag body (everything after the 11-byte tag header). */
  data: Uint8Array;
}

export interface FlvHeaderFlags {
  audio: boolean;
  video: boolean;
}

/** Size of the fixed tag header that precedes every tag body. */
export const FLV_TAG_HEADER_BYTES = 11;
/** FLV file header (9 bytes) + PreviousTagSize0 (4 bytes). */
export const FLV_FILE_HEADER_BYTES = 13;

export const isFlvTagType = (n: number): n is FlvTagType =>
  n === FLV_TAG_AUDIO || n === FLV_TAG_VIDEO || n === FLV_TAG_SCRIPT;

/** Thrown for any input that is not well-formed FLV / AMF0 (so callers can tell it from I/O errors). */
export class FlvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlvFormatError';
  }
}
