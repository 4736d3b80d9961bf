/**
 * One publish of one stream: chunks the incoming tags, hashes and keeps them in a window, and tells its
 * subscribers (HTTP-FLV viewers, feeds, the tracker) about every init part, chunk and the final eof.
 */
import {
  chunkPieceBytes,
  chunkPieceRanges,
  FlvChunker,
  randomId,
  type ChunkerOutput,
  type FlvHeaderFlags,
  type FlvTag,
  type InitMeta,
  type OriginEvent,
  type StreamManifest,
} from '@xp2p/protocol';
import { ChunkWindow, type ChunkLookup, type StoredChunk, type StoredInit } from './chunk-window.js';
import { sha256Hex } from './sha256.js';
import type { StreamSigner } from './stream-signer.js';

export type StreamEvent =
  { type: 'init'; init: StoredInit } | { type: 'chunk'; chunk: StoredChunk } | { type: 'eof'; lastSeq: number };

export type StreamListener = (event: StreamEvent) => void;

export interface LiveStreamOptions {
  targetChunkMs: number;
  windowMs: number;
  windowMaxBytes: number;
  windowMaxChunks?: number;
  /**
   * A mirror of a stream published on another cluster node: its epoch, and the node's base URL. A
   * mirror is fed the origin node's init parts and chunks as they are (addInit/addChunk), not tags, so
   * every node serves the same chunk numbers and hashes and peers on different nodes can trade chunks.
   */
  mirrorOf?: { epoch: string; nodeUrl: string };
  /**
   * Signs every init and chunk record this publish cuts (record-signature.ts). A mirror has none: it keeps
   * the origin node's records, signatures included, as they came.
   */
  signer?: StreamSigner;
}

export class LiveStream {
  readonly name: string;
  /** random per publish, so a republished stream never reuses a chunk URL */
  readonly epoch: string;
  /** the origin node's base URL when this is a mirror of a stream published there */
  readonly mirrorOf: string | undefined;
  readonly startedAt = Date.now();
  readonly #options: LiveStreamOptions;
  readonly #window: ChunkWindow;
  readonly #inits = new Map<number, StoredInit>();
  readonly #listeners = new Set<StreamListener>();
  #chunker: FlvChunker | undefined;
  #header: FlvHeaderFlags | undefined;
  #init: StoredInit | undefined;
  #live = true;
  #lastSeq = -1;

  constructor(name: string, options: LiveStreamOptions) {
    this.name = name;
    this.#options = options;
    this.epoch = options.mirrorOf?.epoch ?? randomId(12);
    this.mirrorOf = options.mirrorOf?.nodeUrl;
    this.#window = new ChunkWindow(options.windowMs, options.windowMaxBytes, options.windowMaxChunks);
  }

  get live(): boolean {
    return this.#live;
  }

  /** the stream's public key (base64url) when its records are signed here */
  get publicKey(): string | undefined {
    return this.#options.signer?.publicKey;
  }

  get targetChunkMs(): number {
    return this.#options.targetChunkMs;
  }

  /** The current init part; undefined until the first media tag. */
  get init(): StoredInit | undefined {
    return this.#init;
  }

  /** Live subscribers (HTTP-FLV viewers, feeds, and the origin's own bookkeeping). */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  /** Chunks produced so far in this publish. */
  get chunkCount(): number {
    return this.#lastSeq + 1;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The source's FLV header flags; only before the first tag (a demuxer knows them by then). */
  setHeader(flags: FlvHeaderFlags): void {
    if (!this.#chunker) this.#header = flags;
  }

  push(tag: FlvTag): void {
    if (!this.#live || this.mirrorOf) return;
    this.#chunker ??= new FlvChunker({
      targetChunkMs: this.#options.targetChunkMs,
      ...(this.#header ? { header: this.#header } : {}),
    });
    for (const output of this.#chunker.push(tag)) this.#accept(output);
  }

  /** The publisher stopped: close the last chunk and tell everyone. Idempotent. */
  end(): void {
    if (!this.#live) return;
    for (const output of this.#chunker?.flush() ?? []) this.#accept(output);
    this.#live = false;
    this.#emit({ type: 'eof', lastSeq: this.#lastSeq });
    this.#listeners.clear();
  }

  /** Live events from now on; returns the unsubscribe function. Nothing is delivered once the stream ended. */
  subscribe(listener: StreamListener): () => void {
    if (this.#live) this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  chunk(seq: number): ChunkLookup {
    return this.#window.get(seq);
  }

  initPart(initId: number): StoredInit | undefined {
    return this.#inits.get(initId);
  }

  recentChunks(): readonly StoredChunk[] {
    return this.#window.all();
  }

  fromLatestKeyframe(): readonly StoredChunk[] {
    return this.#window.fromLatestKeyframe();
  }

  /** Average bitrate of the chunks in the window, in kbit/s. */
  bitrateKbps(): number {
    const span = this.#window.spanMs;
    return span > 0 ? Math.round((this.#window.bytes * 8) / span) : 0;
  }

  manifest(): StreamManifest | undefined {
    if (!this.#init) return undefined;
    return {
      v: 1,
      stream: this.name,
      epoch: this.epoch,
      init: this.#init.meta,
      chunks: this.#window.all().map((c) => c.meta),
      live: this.#live,
      targetChunkMs: this.#options.targetChunkMs,
    };
  }

  /** The announcements a newcomer needs: the current init, then the chunks still held. */
  snapshotEvents(): OriginEvent[] {
    if (!this.#init) return [];
    const events: OriginEvent[] = [{ type: 'init', epoch: this.epoch, init: this.#init.meta }];
    for (const c of this.#window.all()) events.push({ type: 'chunk', epoch: this.epoch, chunk: c.meta });
    if (!this.#live) events.push({ type: 'eof', epoch: this.epoch, lastSeq: this.#lastSeq });
    return events;
  }

  toOriginEvent(event: StreamEvent): OriginEvent {
    switch (event.type) {
      case 'init':
        return { type: 'init', epoch: this.epoch, init: event.init.meta };
      case 'chunk':
        return { type: 'chunk', epoch: this.epoch, chunk: event.chunk.meta };
      case 'eof':
        return { type: 'eof', epoch: this.epoch, lastSeq: event.lastSeq };
    }
  }

  /** An init part cut elsewhere (a mirror's origin node); its bytes were checked against meta.hash. */
  addInit(init: StoredInit): void {
    if (!this.#live) return;
    this.#init = init;
    this.#inits.set(init.meta.initId, init);
    this.#emit({ type: 'init', init });
  }

  /** A chunk cut elsewhere, in order (a gap throws RangeError); its bytes were checked against meta.hash. */
  addChunk(chunk: StoredChunk): void {
    if (!this.#live) return;
    chunk.announcedAt ??= Date.now();
    this.#window.add(chunk);
    this.#lastSeq = chunk.meta.seq;
    this.#dropUnusedInits();
    this.#emit({ type: 'chunk', chunk });
  }

  #accept(output: ChunkerOutput): void {
    const signer = this.#options.signer;
    if (output.kind === 'init') {
      const meta: InitMeta = { initId: output.initId, size: output.bytes.byteLength, hash: sha256Hex(output.bytes) };
      if (signer) meta.sig = signer.sign(this.name, this.epoch, { init: meta });
      return this.addInit({ meta, bytes: output.bytes });
    }
    const { seq, bytes, keyframe, timestamp, duration, initId } = output;
    const pieceBytes = chunkPieceBytes(bytes.byteLength);
    const pieces = chunkPieceRanges(bytes.byteLength, pieceBytes).map(([a, b]) => sha256Hex(bytes.subarray(a, b)));
    const chunk: StoredChunk = {
      meta: {
        seq,
        size: bytes.byteLength,
        hash: sha256Hex(bytes),
        keyframe,
        timestamp,
        duration,
        initId,
        pieceBytes,
        pieces,
      },
      bytes,
    };
    if (signer) chunk.meta.sig = signer.sign(this.name, this.epoch, { chunk: chunk.meta });
    this.addChunk(chunk);
  }

  #dropUnusedInits(): void {
    if (this.#inits.size <= 1) return;
    const inUse = this.#window.initIdsInUse();
    for (const id of this.#inits.keys()) {
      if (id !== this.#init?.meta.initId && !inUse.has(id)) this.#inits.delete(id);
    }
  }

  #emit(event: StreamEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
