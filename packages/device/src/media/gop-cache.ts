/**
 * Remembers what a viewer joining mid-stream needs to start decoding immediately:
 * the metadata, the codec configuration and the current GOP (from its keyframe on).
 */
import {
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  isAacSequenceHeader,
  isAvcSequenceHeader,
  isScriptTag,
  startsGop,
  type FlvTag,
} from '@xp2p/protocol';

export interface GopCacheOptions {
  /** A GOP larger than this is not cached (joiners wait for the next keyframe). Default 8 MiB. */
  maxBytes?: number;
}

export class GopCache {
  private readonly maxBytes: number;
  private metadata: FlvTag | undefined;
  private videoConfig: FlvTag | undefined;
  private audioConfig: FlvTag | undefined;
  private gop: FlvTag[] = [];
  private gopBytes = 0;
  /** True while the current GOP overflowed: nothing is cached until the next keyframe. */
  private overflowed = false;
  private audioSeen = false;
  private videoSeen = false;

  constructor(options: GopCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  /** What the stream has carried so far (for the FLV header flags a joiner receives). */
  get hasAudio(): boolean {
    return this.audioSeen;
  }
  get hasVideo(): boolean {
    return this.videoSeen;
  }

  push(tag: FlvTag): void {
    if (tag.type === FLV_TAG_AUDIO) this.audioSeen = true;
    if (tag.type === FLV_TAG_VIDEO) this.videoSeen = true;

    if (isScriptTag(tag)) {
      this.metadata = tag;
    } else if (isAvcSequenceHeader(tag)) {
      // Frames cached so far were encoded against the old configuration; they cannot follow the new one.
      if (this.videoConfig && !sameBytes(this.videoConfig.data, tag.data)) this.dropGop();
      this.videoConfig = tag;
    } else if (isAacSequenceHeader(tag)) {
      this.audioConfig = tag;
    } else if (startsGop(tag)) {
      this.gop = [tag];
      this.gopBytes = tag.data.byteLength;
      this.overflowed = tag.data.byteLength > this.maxBytes;
      if (this.overflowed) this.dropGop();
    } else if (this.gop.length > 0 && !this.overflowed) {
      // Tags before the first keyframe are useless to a joiner, so they are never cached.
      this.gop.push(tag);
      this.gopBytes += tag.data.byteLength;
      if (this.gopBytes > this.maxBytes) {
        this.overflowed = true;
        this.dropGop();
      }
    }
  }

  /** Metadata, AVC config, AAC config (those present), then the current GOP starting at its keyframe. */
  snapshot(): FlvTag[] {
    const out: FlvTag[] = [];
    if (this.metadata) out.push(this.metadata);
    if (this.videoConfig) out.push(this.videoConfig);
    if (this.audioConfig) out.push(this.audioConfig);
    out.push(...this.gop);
    return out;
  }

  /** Bytes held by the current GOP (for stats and tests). */
  get cachedGopBytes(): number {
    return this.gopBytes;
  }

  private dropGop(): void {
    this.gop = [];
    this.gopBytes = 0;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
