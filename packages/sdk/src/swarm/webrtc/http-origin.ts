/**
 * The origin over HTTP (injected fetch): immutable init and chunk URLs, and the manifest. The node can be
 * changed (`baseUrl`, cluster failover: every node serves the same URLs); a fetch that cannot reach the
 * node at all (not an HTTP error, not our own abort) is reported through `onUnreachable`.
 */
import { originUrls, streamManifestSchema, type ChunkMeta, type InitMeta, type StreamManifest } from '@xp2p/protocol';
import type { OriginClient } from '../engine/types.js';

export class HttpOriginClient implements OriginClient {
  /** set once the tracker said which publish epoch we are in */
  epoch = '';

  constructor(
    private readonly fetchFn: typeof fetch,
    public baseUrl: string,
    private readonly stream: string,
    private readonly onUnreachable: (baseUrl: string, err: unknown) => void = () => {},
  ) {}

  fetchInit(init: InitMeta, signal?: AbortSignal): Promise<Uint8Array> {
    return this.getBytes(originUrls.init(this.stream, this.epoch, init.initId), init.size, signal);
  }

  fetchChunk(meta: ChunkMeta, signal: AbortSignal): Promise<Uint8Array> {
    return this.getBytes(originUrls.chunk(this.stream, this.epoch, meta.seq), meta.size, signal);
  }

  /** The manifest of `baseUrl` (default: the node in use). */
  async fetchManifest(signal?: AbortSignal, baseUrl = this.baseUrl): Promise<StreamManifest> {
    const res = await this.fetch(
      originUrls.manifest(this.stream),
      { signal: signal ?? null, cache: 'no-store' },
      baseUrl,
    );
    if (!res.ok) throw new Error(`manifest: HTTP ${res.status}`);
    return streamManifestSchema.parse(await res.json());
  }

  private async fetch(path: string, init: RequestInit, base = this.baseUrl): Promise<Response> {
    try {
      return await this.fetchFn(`${base.replace(/\/$/, '')}${path}`, init);
    } catch (err) {
      if (!init.signal?.aborted) this.onUnreachable(base, err);
      throw err;
    }
  }

  private async getBytes(path: string, expectedSize: number, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.fetch(path, { signal: signal ?? null });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // the engine checks the hash; a size mismatch is already a clear failure
    if (bytes.byteLength !== expectedSize)
      throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${expectedSize}`);
    return bytes;
  }
}
