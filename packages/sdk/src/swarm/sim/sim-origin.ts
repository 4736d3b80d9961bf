/**
 * An in-memory origin: cuts a constant-bitrate "stream" into numbered chunks every `chunkMs`, a keyframe
 * chunk every `keyframeEveryMs` (larger, like an I-frame-heavy chunk), each with a real SHA-256. Real bytes
 * are 1/payloadScale of the declared size (see sim-network.ts). Peers fetch over their own downlink.
 */
import {
  CHUNK_PIECE_BYTES,
  chunkPieceBytes,
  chunkPieceRanges,
  type ChunkMeta,
  type InitMeta,
  type OriginEvent,
} from '@xp2p/protocol';
import { webCryptoSha256Hex } from '../engine/hash.js';
import type { OriginClient } from '../engine/types.js';
import type { SimNetwork } from './sim-network.js';
import type { VirtualClock } from './virtual-clock.js';

export interface SimOriginOptions {
  bitrateBps: number;
  chunkMs: number;
  keyframeEveryMs: number;
  payloadScale: number;
  /** one-way latency between the origin and a peer's access link */
  latencyMs: number;
  epoch: string;
  /** false: announce whole-chunk hashes only (as an origin without piece hashes would) */
  pieceHashes?: boolean;
}

export interface OriginChunk {
  meta: ChunkMeta;
  bytes: Uint8Array;
  announcedAt: number;
}

export class SimOrigin {
  readonly chunks = new Map<number, OriginChunk>();
  init: { meta: InitMeta; bytes: Uint8Array } | undefined;
  /** declared bytes sent to peers (chunks and init) */
  bytesServed = 0;
  chunkBytesServed = 0;
  lastSeq = -1;
  private slot = 0;
  private announced: Promise<unknown> = Promise.resolve();
  private timer: unknown;
  private listeners: Array<(ev: OriginEvent) => void> = [];
  private ended = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: () => number,
    private readonly net: SimNetwork,
    readonly options: SimOriginOptions,
  ) {}

  onEvent(listener: (ev: OriginEvent) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    const bytes = this.randomBytes(400);
    this.init = { meta: { initId: 0, size: bytes.byteLength, hash: await webCryptoSha256Hex(bytes) }, bytes };
    this.timer = this.clock.setTimeout(() => this.produce(), this.options.chunkMs);
  }

  /** The publisher stops: no more chunks, every viewer gets eof. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.clock.clearTimeout(this.timer);
    this.emit({ type: 'eof', epoch: this.options.epoch, lastSeq: this.lastSeq });
  }

  /** The newest keyframe chunk announced by time t: where a GOP-cached HTTP-FLV viewer starts (baseline). */
  newestKeyframeBy(t: number): OriginChunk | undefined {
    let best: OriginChunk | undefined;
    for (const c of this.chunks.values())
      if (c.meta.keyframe && c.announcedAt <= t && (!best || c.announcedAt > best.announcedAt)) best = c;
    return best;
  }

  recent(): ChunkMeta[] {
    return [...this.chunks.values()].slice(-40).map((c) => c.meta);
  }

  client(peerId: string): OriginClient {
    const fetchBytes = (bytes: Uint8Array, isChunk: boolean, signal?: AbortSignal) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const declared = bytes.byteLength * (isChunk ? this.options.payloadScale : 1);
        const startedAt = this.clock.now();
        const doneAt = this.net.downloadDoneAt(peerId, declared, this.options.latencyMs);
        const ev = this.clock.setTimeout(() => {
          this.bytesServed += declared;
          if (isChunk) this.chunkBytesServed += declared;
          this.clock.markDirty();
          resolve(bytes);
        }, doneAt - this.clock.now());
        signal?.addEventListener('abort', () => {
          // an aborted HTTP fetch still cost what was already sent: count that share
          const share = (this.clock.now() - startedAt) / Math.max(1, doneAt - startedAt);
          if (isChunk) this.chunkBytesServed += declared * Math.min(1, share);
          this.clock.clearTimeout(ev);
          this.clock.markDirty();
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    return {
      fetchInit: async () => {
        if (!this.init) throw new Error('no init yet');
        return fetchBytes(this.init.bytes, false);
      },
      fetchChunk: async (meta, signal, range) => {
        const c = this.chunks.get(meta.seq);
        if (!c) throw new Error(`404 chunk ${meta.seq}`);
        // a Range request costs (and takes the time of) only the bytes asked for
        return fetchBytes(range ? c.bytes.subarray(range[0], range[1]) : c.bytes, true, signal);
      },
    };
  }

  /**
   * Every `chunkMs` the slot just ended becomes a chunk. A GOP starts with a keyframe chunk twice the
   * average size (its I-frame and the rest of the slot); the other chunks of the GOP share what is left.
   */
  private produce(): void {
    const { bitrateBps, chunkMs, keyframeEveryMs } = this.options;
    const start = this.slot++ * chunkMs;
    const perGop = Math.max(1, Math.round(keyframeEveryMs / chunkMs));
    const avg = (bitrateBps / 8) * (chunkMs / 1000);
    const keyframe = start % keyframeEveryMs === 0;
    const declared = perGop === 1 ? avg : keyframe ? 2 * avg : (avg * (perGop - 2)) / (perGop - 1);
    this.emitChunk(start, chunkMs, keyframe, declared);
    this.timer = this.clock.setTimeout(() => this.produce(), chunkMs);
  }

  private emitChunk(timestamp: number, duration: number, keyframe: boolean, declared: number): void {
    const { payloadScale } = this.options;
    const seq = this.lastSeq + 1;
    const bytes = this.randomBytes(Math.max(16, Math.round(declared / payloadScale)));
    this.lastSeq = seq;
    // piece hashes as the real origin makes them, at the same number of pieces per chunk
    const pieceBytes = chunkPieceBytes(bytes.byteLength, Math.max(16, Math.floor(CHUNK_PIECE_BYTES / payloadScale)));
    const hashing = Promise.all([
      webCryptoSha256Hex(bytes),
      ...chunkPieceRanges(bytes.byteLength, pieceBytes).map(([a, b]) => webCryptoSha256Hex(bytes.subarray(a, b))),
    ]);
    // announce in sequence order, whatever order the hashes finish in
    this.announced = this.clock.track(
      Promise.all([this.announced, hashing]).then(([, [hash, ...pieces]]) => {
        const meta: ChunkMeta = {
          seq,
          size: bytes.byteLength,
          hash: hash!,
          keyframe,
          timestamp,
          duration,
          initId: 0,
          ...(this.options.pieceHashes === false ? {} : { pieceBytes, pieces }),
        };
        this.chunks.set(seq, { meta, bytes, announcedAt: this.clock.now() });
        this.emit({ type: 'chunk', epoch: this.options.epoch, chunk: meta });
      }),
    );
  }

  private emit(ev: OriginEvent): void {
    for (const l of this.listeners) l(ev);
  }

  private randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.random() * 256) | 0;
    return out;
  }
}
