/**
 * An in-memory origin: cuts a constant-bitrate "stream" into numbered chunks every `chunkMs`, a keyframe
 * chunk every `keyframeEveryMs` (larger, like an I-frame-heavy chunk), each with a real SHA-256. Real bytes
 * are 1/payloadScale of the declared size (see sim-network.ts). Peers fetch over their own downlink.
 */
import type { ChunkMeta, InitMeta, OriginEvent } from '@xp2p/protocol';
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
}

export class SimOrigin {
  readonly chunks = new Map<number, { meta: ChunkMeta; bytes: Uint8Array; announcedAt: number }>();
  init: { meta: InitMeta; bytes: Uint8Array } | undefined;
  /** declared bytes sent to peers (chunks and init) */
  bytesServed = 0;
  chunkBytesServed = 0;
  lastSeq = -1;
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

  /** Announce times of keyframe chunks, for the "direct viewer" baseline. */
  newestKeyframeAnnouncedBy(t: number): number | undefined {
    let best: number | undefined;
    for (const c of this.chunks.values())
      if (c.meta.keyframe && c.announcedAt <= t) best = Math.max(best ?? -Infinity, c.announcedAt);
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
      fetchChunk: async (meta, signal) => {
        const c = this.chunks.get(meta.seq);
        if (!c) throw new Error(`404 chunk ${meta.seq}`);
        return fetchBytes(c.bytes, true, signal);
      },
    };
  }

  private produce(): void {
    const { bitrateBps, chunkMs, keyframeEveryMs, payloadScale } = this.options;
    const seq = this.lastSeq + 1;
    const timestamp = seq * chunkMs;
    const perGop = Math.max(1, Math.round(keyframeEveryMs / chunkMs));
    const keyframe = timestamp % keyframeEveryMs === 0;
    const avg = (bitrateBps / 8) * (chunkMs / 1000);
    // a keyframe chunk carries twice the average; the rest of the GOP shares what is left
    const declared = perGop === 1 ? avg : keyframe ? 2 * avg : (avg * (perGop - 2)) / (perGop - 1);
    const bytes = this.randomBytes(Math.max(16, Math.round(declared / payloadScale)));
    this.lastSeq = seq;
    const hashing = this.clock.track(webCryptoSha256Hex(bytes));
    void hashing.then((hash) => {
      const meta: ChunkMeta = { seq, size: bytes.byteLength, hash, keyframe, timestamp, duration: chunkMs, initId: 0 };
      this.chunks.set(seq, { meta, bytes, announcedAt: this.clock.now() });
      this.emit({ type: 'chunk', epoch: this.options.epoch, chunk: meta });
    });
    this.timer = this.clock.setTimeout(() => this.produce(), chunkMs);
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
