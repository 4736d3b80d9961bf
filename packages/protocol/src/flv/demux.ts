/** Incremental FLV demuxing: bytes in (split anywhere), complete tags out. */
import { ByteQueue } from './byte-queue.js';
import { FLV_TAG_HEADER_BYTES, FlvFormatError, isFlvTagType, type FlvHeaderFlags, type FlvTag } from './tag.js';

export interface FlvDemuxerOptions {
  /** Largest tag body accepted; bigger ones are treated as corruption. Default 8 MiB. */
  maxTagBytes?: number;
}

export const DEFAULT_MAX_TAG_BYTES = 8 * 1024 * 1024;
/** Some writers pad the header (DataOffset > 9); anything beyond this is not a real FLV file. */
const MAX_HEADER_PADDING = 1024;

export class FlvDemuxer {
  private readonly queue = new ByteQueue();
  private readonly maxTagBytes: number;
  private parsedHeader: FlvHeaderFlags | undefined;
  /** Header padding still to skip before PreviousTagSize0. */
  private headerSkip = 0;
  /** Flags read from the header, published once PreviousTagSize0 has been checked too. */
  private pendingFlags: FlvHeaderFlags | undefined;
  private failure: FlvFormatError | undefined;

  constructor(options: FlvDemuxerOptions = {}) {
    this.maxTagBytes = options.maxTagBytes ?? DEFAULT_MAX_TAG_BYTES;
  }

  /** The header flags once the file header has been parsed. */
  get header(): FlvHeaderFlags | undefined {
    return this.parsedHeader;
  }

  /** Bytes received but not yet part of a complete tag (0 at a clean tag boundary). */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /** Feeds the next chunk; returns every tag it completed. Throws FlvFormatError on bad input. */
  push(chunk: Uint8Array): FlvTag[] {
    // Once the stream is known to be corrupt there is no way to resynchronise reliably.
    if (this.failure) throw this.failure;
    this.queue.push(chunk);
    try {
      return this.drain();
    } catch (err) {
      if (err instanceof FlvFormatError) {
        this.failure = err;
        this.queue.clear(); // release the backlog: nothing will read it again
      }
      throw err;
    }
  }

  private drain(): FlvTag[] {
    const tags: FlvTag[] = [];
    if (!this.parsedHeader && !this.readHeader()) return tags;
    for (;;) {
      const tag = this.readTag();
      if (!tag) return tags;
      tags.push(tag);
    }
  }

  /** Parses the 9-byte header + padding + PreviousTagSize0; false if more bytes are needed. */
  private readHeader(): boolean {
    if (this.headerSkip === 0) {
      // Check the signature as soon as 3 bytes arrive so garbage fails fast.
      const sigLen = Math.min(this.queue.length, 3);
      const sig = this.queue.peek(sigLen);
      if (!'FLV'.startsWith(String.fromCharCode(...sig))) throw new FlvFormatError('not an FLV stream (bad signature)');
      if (this.queue.length < 9) return false;
      const h = this.queue.peek(9);
      if (h[3] !== 1) throw new FlvFormatError(`unsupported FLV version ${h[3]}`);
      const dataOffset = new DataView(h.buffer, h.byteOffset, 9).getUint32(5);
      if (dataOffset < 9 || dataOffset > 9 + MAX_HEADER_PADDING) {
        throw new FlvFormatError(`bad FLV header size ${dataOffset}`);
      }
      this.queue.skip(9);
      this.headerSkip = dataOffset - 9 + 4; // padding, then PreviousTagSize0
      this.pendingFlags = { audio: (h[4]! & 0x04) !== 0, video: (h[4]! & 0x01) !== 0 };
    }
    if (this.queue.length < this.headerSkip) return false;
    const prev0 = this.queue.peek(this.headerSkip).subarray(this.headerSkip - 4);
    if (prev0.some((b) => b !== 0)) throw new FlvFormatError('PreviousTagSize0 is not 0');
    this.queue.skip(this.headerSkip);
    this.parsedHeader = this.pendingFlags;
    return true;
  }

  private readTag(): FlvTag | undefined {
    if (this.queue.length < FLV_TAG_HEADER_BYTES) return undefined;
    const h = this.queue.peek(FLV_TAG_HEADER_BYTES);
    const type = h[0]!;
    // The full byte must match: the filter (encryption) bit and reserved bits are unsupported.
    if (!isFlvTagType(type)) throw new FlvFormatError(`bad FLV tag type ${type}`);
    const size = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
    if (size > this.maxTagBytes) {
      throw new FlvFormatError(`FLV tag of ${size} bytes exceeds the ${this.maxTagBytes}-byte limit`);
    }
    const timestamp = ((h[7]! << 24) | (h[4]! << 16) | (h[5]! << 8) | h[6]!) >>> 0;
    const total = FLV_TAG_HEADER_BYTES + size + 4;
    if (this.queue.length < total) return undefined;
    const trailer = this.queue.peek(total).subarray(total - 4);
    const prevSize = ((trailer[0]! << 24) | (trailer[1]! << 16) | (trailer[2]! << 8) | trailer[3]!) >>> 0;
    if (prevSize !== FLV_TAG_HEADER_BYTES + size) {
      throw new FlvFormatError(`PreviousTagSize ${prevSize} does not match tag size ${FLV_TAG_HEADER_BYTES + size}`);
    }
    this.queue.skip(FLV_TAG_HEADER_BYTES);
    const data = this.queue.take(size);
    this.queue.skip(4);
    return { type, timestamp, data };
  }
}

/** Demuxes a complete FLV file; a truncated file (partial header or tag at the end) is an error. */
export function parseFlv(bytes: Uint8Array): { header: FlvHeaderFlags; tags: FlvTag[] } {
  const demuxer = new FlvDemuxer({ maxTagBytes: Math.max(bytes.byteLength, 1) });
  const tags = demuxer.push(bytes);
  const header = demuxer.header;
  if (!header) throw new FlvFormatError(`truncated FLV: ${bytes.byteLength} bytes is not a complete header`);
  if (demuxer.bufferedBytes > 0) {
    throw new FlvFormatError(`truncated FLV: ${demuxer.bufferedBytes} trailing bytes are not a complete tag`);
  }
  return { header, tags };
}
