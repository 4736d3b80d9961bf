/**
 * An in-memory origin: cuts a constant-bitrate "stream" into numbered chunks every `chunkMs`, a keyframe
 * chunk every `keyframeEveryMs` (larger, like an I-frame-heavy chunk), each with a real SHA-256. Real bytes
 * are 1/payloadScale of the declared size (see sim-network.ts). Peers fetch over their own downlink.
 */
import {
  CHUNK_PIECE_BYTES,
  chunkPieceBytes,
  chunkPieceRanges,
  pickStartChunk,
  type ChunkMeta,
  type InitMeta,
  type OriginEvent,
} from '@xp2p/protocol';
import { webCryptoSha256Hex } from '../engine/hash.js';
import type { OriginClient, OriginStart } from '../engine/types.js';
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

  /** Where the origin's start route starts a viewer whose request arrives at `t` (see pickStartChunk). */
  startChunkAt(t: number, leadMs: number): OriginChunk | undefined {
    const held = [...this.chunks.values()].filter((c) => c.announcedAt <= t);
    return pickStartChunk(held, t, leadMs, (c) => ({ ...c.meta, announcedAt: c.announcedAt }));
  }

  client(peerId: string): OriginClient {
    /**
     * `initBytes` of init part and `chunkBytes` (real, scaled to declared) of chunk over the peer's downlink,
     * first byte `firstByteInMs` from now (default: a round trip).
     */
    const fetchBytes = <T>(
      value: T,
      initBytes: number,
      chunkBytes: number,
      signal?: AbortSignal,
      firstByteInMs?: number,
    ) =>
      new Promise<T>((resolve, reject) => {
        const declaredChunk = chunkBytes * this.options.payloadScale;
        const declared = initBytes + declaredChunk;
        const startedAt = this.clock.now();
        const doneAt = this.net.downloadDoneAt(peerId, declared, this.options.latencyMs, firstByteInMs);
        let done = false;
        const ev = this.clock.setTimeout(() => {
          done = true;
          this.bytesServed += declared;
          this.chunkBytesServed += declaredChunk;
          this.clock.markDirty();
          resolve(value);
        }, doneAt - this.clock.now());
        signal?.addEventListener('abort', () => {
          if (done) return;
          // an aborted HTTP fetch still cost what was already sent: count that share
          const share = (this.clock.now() - startedAt) / Math.max(1, doneAt - startedAt);
          this.chunkBytesServed += declaredChunk * Math.min(1, share);
          this.clock.clearTimeout(ev);
          this.clock.markDirty();
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    return {
      fetchInit: async () => {
        if (!this.init) throw new Error('no init yet');
        return fetchBytes(this.init.bytes, this.init.bytes.byteLength, 0);
      },
      fetchChunk: async (meta, signal, range) => {
        const c = this.chunks.get(meta.seq);
        if (!c) throw new Error(`404 chunk ${meta.seq}`);
        // a Range request costs (and takes the time of) only the bytes asked for
        const bytes = range ? c.bytes.subarray(range[0], range[1]) : c.bytes;
        return fetchBytes(bytes, 0, bytes.byteLength, signal);
      },
      // the start route: the request reaches the origin after one way, which picks the start chunk then and
      // sends init + chunk back (first byte one way later): one round trip + those bytes, like HTTP-FLV
      fetchStart: (leadMs, signal) =>
        new Promise<OriginStart>((resolve, reject) => {
          const oneWay = this.net.originOneWayMs(peerId, this.options.latencyMs);
          const arrive = this.clock.setTimeout(() => {
            const start = this.startChunkAt(this.clock.now(), leadMs);
            const init = this.init;
            this.clock.markDirty();
            if (!start || !init) return reject(new Error('404 no keyframe chunk yet'));
            const answer: OriginStart = {
              epoch: this.options.epoch,
              initId: init.meta.initId,
              init: init.bytes,
              seq: start.meta.seq,
              chunk: start.bytes,
              firstByteMs: 2 * oneWay,
            };
            fetchBytes(answer, init.bytes.byteLength, start.bytes.byteLength, signal, oneWay).then(resolve, reject);
          }, oneWay);
          signal.addEventListener('abort', () => {
            this.clock.clearTimeout(arrive);
            this.clock.markDirty();
            reject(new DOMException('aborted', 'AbortError'));
          });
        }),
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
