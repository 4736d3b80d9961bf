/** The origin over HTTP (injected fetch): immutable init and chunk URLs, and the manifest. */
import { originUrls, streamManifestSchema, type ChunkMeta, type InitMeta, type StreamManifest } from '@xp2p/protocol';
import type { OriginClient } from '../engine/types.js';

export class HttpOriginClient implements OriginClient {
  /** set once the tracker said which publish epoch we are in */
  epoch = '';

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly baseUrl: string,
    private readonly stream: string,
  ) {}

  fetchInit(init: InitMeta, signal?: AbortSignal): Promise<Uint8Array> {
    return this.getBytes(originUrls.init(this.stream, this.epoch, init.initId), init.size, signal);
  }

  fetchChunk(meta: ChunkMeta, signal: AbortSignal): Promise<Uint8Array> {
    return this.getBytes(originUrls.chunk(this.stream, this.epoch, meta.seq), meta.size, signal);
  }

  async fetchManifest(signal?: AbortSignal): Promise<StreamManifest> {
    const res = await this.fetchFn(this.url(originUrls.manifest(this.stream)), {
      signal: signal ?? null,
      cache: 'no-store',
    });
    if (!res.ok) throw new Error(`manifest: HTTP ${res.status}`);
    return streamManifestSchema.parse(await res.json());
  }

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, '')}${path}`;
  }

  private async getBytes(path: string, expectedSize: number, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.fetchFn(this.url(path), { signal: signal ?? null });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // the engine checks the hash; a size mismatch is already a clear failure
    if (bytes.byteLength !== expectedSize)
      throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${expectedSize}`);
    return bytes;
  }
}
