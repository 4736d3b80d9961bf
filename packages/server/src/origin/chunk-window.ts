/**
 * The recent chunks of one publish, bounded by media time, by bytes and by count, so memory stays flat
 * however long the stream runs (count: chunks of zero media time and a few bytes each, which a hostile
 * publisher can make, pass the other two bounds). Chunk numbers are contiguous, so a lookup tells "not produced yet" from "fell out".
 */
import type { ChunkMeta, InitMeta } from '@xp2p/protocol';

export interface StoredChunk {
  meta: ChunkMeta;
  bytes: Uint8Array;
  /** when this node announced it (ms since the epoch): where a viewer starts (pickStartChunk) */
  announcedAt?: number;
}

export interface StoredInit {
  meta: InitMeta;
  bytes: Uint8Array;
}

export type ChunkLookup =
  | { status: 'found'; chunk: StoredChunk }
  /** not produced yet (or never will be): answer quickly rather than hold the request */
  | { status: 'not-yet' }
  /** fell out of the window */
  | { status: 'gone' };

export class ChunkWindow {
  readonly #windowMs: number;
  readonly #maxBytes: number;
  readonly #maxChunks: number;
  readonly #chunks: StoredChunk[] = [];
  /** the seq the next added chunk must have (chunks before the first one held were evicted) */
  #nextSeq = 0;
  #bytes = 0;
  /** media time of the chunks held, by their durations (robust to timestamp jumps in the source) */
  #spanMs = 0;

  constructor(windowMs: number, maxBytes: number, maxChunks = 4_096) {
    this.#windowMs = windowMs;
    this.#maxBytes = maxBytes;
    this.#maxChunks = Math.max(1, maxChunks);
  }

  add(chunk: StoredChunk): void {
    if (chunk.meta.seq !== this.#nextSeq && this.#chunks.length > 0) {
      throw new RangeError(`chunk ${chunk.meta.seq} out of order, expected ${this.#nextSeq}`);
    }
    this.#chunks.push(chunk);
    this.#nextSeq = chunk.meta.seq + 1;
    this.#bytes += chunk.bytes.byteLength;
    this.#spanMs += chunk.meta.duration;
    this.#evict();
  }

  get(seq: number): ChunkLookup {
    if (seq >= this.#nextSeq) return { status: 'not-yet' };
    const first = this.#chunks[0];
    if (!first || seq < first.meta.seq) return { status: 'gone' };
    return { status: 'found', chunk: this.#chunks[seq - first.meta.seq]! };
  }

  /** Oldest first. */
  all(): readonly StoredChunk[] {
    return this.#chunks;
  }

  /** The chunks from the newest place a viewer can start decoding; empty if there is none. */
  fromLatestKeyframe(): readonly StoredChunk[] {
    for (let i = this.#chunks.length - 1; i >= 0; i--) {
      if (this.#chunks[i]!.meta.keyframe) return this.#chunks.slice(i);
    }
    return [];
  }

  /** initIds still referenced by a held chunk. */
  initIdsInUse(): Set<number> {
    return new Set(this.#chunks.map((c) => c.meta.initId));
  }

  get bytes(): number {
    return this.#bytes;
  }

  get spanMs(): number {
    return this.#spanMs;
  }

  #evict(): void {
    // Always keep the newest chunk, whatever its size or duration.
    while (this.#chunks.length > 1) {
      const oldest = this.#chunks[0]!;
      const overTime = this.#spanMs - oldest.meta.duration >= this.#windowMs;
      const overBytes = this.#bytes > this.#maxBytes;
      const overCount = this.#chunks.length > this.#maxChunks;
      if (!overTime && !overBytes && !overCount) return;
      this.#chunks.shift();
      this.#bytes -= oldest.bytes.byteLength;
      this.#spanMs -= oldest.meta.duration;
    }
  }
}
