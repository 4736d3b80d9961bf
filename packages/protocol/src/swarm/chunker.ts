/**
 * Cuts a live FLV tag stream into 1vN chunks (pure, no I/O). The origin runs it once per publish, so every
 * viewer sees the same chunk numbers.
 *
 * - The **init part** holds what a decoder needs before any frame: FLV header, metadata, AVC/AAC sequence
 *   headers, all at timestamp 0. It is emitted before the first chunk and again (with a new `initId`)
 *   whenever a sequence header or the header's audio/video flags change.
 * - **Chunks** are whole FLV tags. A new chunk starts at every video keyframe that starts a GOP, and a chunk
 *   is closed before the first tag that lies `targetChunkMs` or more after the chunk's first tag, so a
 *   chunk's tags never span more than the target (one huge frame is still one chunk).
 *
 * `init.bytes + chunk[k].bytes + chunk[k+1].bytes + …` from a keyframe chunk is a valid FLV file.
 */
import { concatBytes } from '../bytes.js';
import {
  isAacSequenceHeader,
  isAvcEndOfSequence,
  isAvcSequenceHeader,
  isScriptTag,
  startsGop,
} from '../flv/inspect.js';
import { encodeFlvHeader, encodeFlvTag } from '../flv/mux.js';
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvHeaderFlags, type FlvTag } from '../flv/tag.js';

export const CHUNKER_DEFAULTS = /* @__PURE__ */ Object.freeze({
  /** longest media time one chunk's tags may span (ms) */
  targetChunkMs: 500,
  /** a chunk is also closed (at a tag boundary) before it would grow past this; keeps memory bounded */
  maxChunkBytes: 4 * 1024 * 1024,
});

export interface FlvChunkerOptions {
  targetChunkMs?: number;
  maxChunkBytes?: number;
  /** the source's FLV header flags, when known (a demuxer reads them); otherwise inferred from the tags */
  header?: FlvHeaderFlags;
  /** number of the first chunk; default 0 */
  firstSeq?: number;
}

export interface ChunkerInit {
  kind: 'init';
  initId: number;
  bytes: Uint8Array;
  flags: FlvHeaderFlags;
}

export interface ChunkerChunk {
  kind: 'chunk';
  seq: number;
  bytes: Uint8Array;
  /** a viewer may start decoding here: starts with a GOP-starting video keyframe (always true without video) */
  keyframe: boolean;
  /** FLV timestamp (ms) of the first tag */
  timestamp: number;
  /** media time covered: up to the next chunk's first tag (or the last tag, for the final chunk) */
  duration: number;
  initId: number;
}

export type ChunkerOutput = ChunkerInit | ChunkerChunk;

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => {
  if (a === b) return true;
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
};

interface OpenChunk {
  parts: Uint8Array[];
  size: number;
  keyframe: boolean;
  timestamp: number;
  /** the largest tag timestamp so far (audio and video interleave, so not always the last one) */
  lastTimestamp: number;
}

export class FlvChunker {
  readonly targetChunkMs: number;
  readonly maxChunkBytes: number;
  readonly #declared: FlvHeaderFlags | undefined;
  #nextSeq: number;
  #metadata: Uint8Array | undefined;
  #avcConfig: Uint8Array | undefined;
  #aacConfig: Uint8Array | undefined;
  #seenAudio = false;
  #seenVideo = false;
  /** the init part chunks currently refer to; undefined until the first media tag */
  #init: { id: number; flags: FlvHeaderFlags; avc: Uint8Array | undefined; aac: Uint8Array | undefined } | undefined;
  #chunk: OpenChunk | undefined;

  constructor(options: FlvChunkerOptions = {}) {
    this.targetChunkMs = options.targetChunkMs ?? CHUNKER_DEFAULTS.targetChunkMs;
    this.maxChunkBytes = options.maxChunkBytes ?? CHUNKER_DEFAULTS.maxChunkBytes;
    if (!(this.targetChunkMs > 0)) throw new RangeError(`targetChunkMs must be positive, got ${this.targetChunkMs}`);
    this.#declared = options.header;
    this.#nextSeq = options.firstSeq ?? 0;
  }

  /** Number the next chunk will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Feeds one tag; returns what it completed (an init part and/or closed chunks), in order. */
  push(tag: FlvTag): ChunkerOutput[] {
    const out: ChunkerOutput[] = [];
    if (isScriptTag(tag)) {
      // Metadata is informational for decoders: it joins the next init part but never forces one.
      this.#metadata = tag.data;
      return out;
    }
    if (isAvcSequenceHeader(tag)) return this.#config('avc', tag.data, out);
    if (isAacSequenceHeader(tag)) return this.#config('aac', tag.data, out);
    // ffmpeg ends a file with an AVC end-of-sequence marker; inside a live chunk it could stop a decoder.
    if (isAvcEndOfSequence(tag)) return out;

    if (tag.type === FLV_TAG_AUDIO) this.#seenAudio = true;
    if (tag.type === FLV_TAG_VIDEO) this.#seenVideo = true;
    if (this.#initIsStale()) {
      this.#close(out, tag.timestamp);
      out.push(this.#newInit());
    }
    const gopStart = startsGop(tag);
    // Without video every (AAC) frame decodes on its own, so any chunk is a place to start.
    const keyframe = gopStart || this.#init?.flags.video === false;
    const bytes = encodeFlvTag(tag);
    const open = this.#chunk;
    const startsNewChunk = gopStart && !(open?.keyframe && tag.timestamp <= open.timestamp);
    if (
      open &&
      (startsNewChunk ||
        tag.timestamp - open.timestamp >= this.targetChunkMs ||
        open.size + bytes.byteLength > this.maxChunkBytes)
    ) {
      this.#close(out, tag.timestamp);
    }
    if (!this.#chunk) {
      this.#chunk = {
        parts: [bytes],
        size: bytes.byteLength,
        keyframe,
        timestamp: tag.timestamp,
        lastTimestamp: tag.timestamp,
      };
    } else {
      this.#chunk.parts.push(bytes);
      this.#chunk.size += bytes.byteLength;
      this.#chunk.lastTimestamp = Math.max(this.#chunk.lastTimestamp, tag.timestamp);
    }
    return out;
  }

  /** Closes the open chunk (end of stream); emits the init part too if no media ever came. */
  flush(): ChunkerOutput[] {
    const out: ChunkerOutput[] = [];
    if (!this.#init && (this.#avcConfig || this.#aacConfig || this.#metadata)) out.push(this.#newInit());
    this.#close(out, undefined);
    return out;
  }

  #config(which: 'avc' | 'aac', data: Uint8Array, out: ChunkerOutput[]): ChunkerOutput[] {
    const current = which === 'avc' ? this.#avcConfig : this.#aacConfig;
    // Many encoders repeat identical sequence headers before each keyframe: those change nothing.
    if (sameBytes(current, data)) return out;
    if (which === 'avc') this.#avcConfig = data;
    else this.#aacConfig = data;
    // Frames after this point need the new config: end the chunk that used the old one right here.
    if (this.#init) this.#close(out, undefined);
    return out;
  }

  #flags(): FlvHeaderFlags {
    return {
      audio: (this.#declared?.audio ?? false) || this.#seenAudio || this.#aacConfig !== undefined,
      video: (this.#declared?.video ?? false) || this.#seenVideo || this.#avcConfig !== undefined,
    };
  }

  #initIsStale(): boolean {
    const init = this.#init;
    if (!init) return true;
    const flags = this.#flags();
    return (
      init.flags.audio !== flags.audio ||
      init.flags.video !== flags.video ||
      !sameBytes(init.avc, this.#avcConfig) ||
      !sameBytes(init.aac, this.#aacConfig)
    );
  }

  #newInit(): ChunkerInit {
    const flags = this.#flags();
    const id = this.#init ? this.#init.id + 1 : 0;
    this.#init = { id, flags, avc: this.#avcConfig, aac: this.#aacConfig };
    const parts = [encodeFlvHeader(flags)];
    if (this.#metadata) parts.push(encodeFlvTag({ type: FLV_TAG_SCRIPT, timestamp: 0, data: this.#metadata }));
    if (this.#avcConfig) parts.push(encodeFlvTag({ type: FLV_TAG_VIDEO, timestamp: 0, data: this.#avcConfig }));
    if (this.#aacConfig) parts.push(encodeFlvTag({ type: FLV_TAG_AUDIO, timestamp: 0, data: this.#aacConfig }));
    return { kind: 'init', initId: id, bytes: concatBytes(parts), flags };
  }

  /** Emits the open chunk; `nextTimestamp` is where the following chunk starts, when known. */
  #close(out: ChunkerOutput[], nextTimestamp: number | undefined): void {
    const chunk = this.#chunk;
    if (!chunk || !this.#init) return;
    this.#chunk = undefined;
    const end = nextTimestamp !== undefined && nextTimestamp >= chunk.timestamp ? nextTimestamp : chunk.lastTimestamp;
    out.push({
      kind: 'chunk',
      seq: this.#nextSeq++,
      bytes: concatBytes(chunk.parts),
      keyframe: chunk.keyframe,
      timestamp: chunk.timestamp,
      duration: Math.max(0, end - chunk.timestamp),
      initId: this.#init.id,
    });
  }
}
