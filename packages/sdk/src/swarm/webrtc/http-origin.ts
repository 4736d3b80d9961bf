/**
 * The origin over HTTP (injected fetch): immutable init and chunk URLs, and the manifest. The node can be
 * changed (`moveTo`, cluster failover: every node serves the same URLs); a fetch that cannot reach the
 * node at all (not an HTTP error, not an abort) is reported through `onUnreachable`.
 */
import {
  originUrls,
  START_HEADERS,
  streamManifestSchema,
  type ChunkMeta,
  type InitMeta,
  type StreamManifest,
} from '@xp2p/protocol';
import type { OriginClient, OriginStart } from '../engine/types.js';

export class HttpOriginClient implements OriginClient {
  /** set once the tracker said which publish epoch we are in */
  epoch = '';
  /** fetches under way, with the node each one asks */
  private readonly inFlight = new Map<AbortController, string>();

  constructor(
    private readonly fetchFn: typeof fetch,
    private base: string,
    private readonly stream: string,
    private readonly onUnreachable: (baseUrl: string, err: unknown) => void = () => {},
  ) {}

  get baseUrl(): string {
    return this.base;
  }

  /**
   * Later fetches go to `base`; those still waiting on another node are aborted (they fail at once and the
   * engine retries them here), so a node that stopped answering without closing its sockets holds nothing.
   */
  moveTo(base: string): void {
    this.base = base;
    for (const [ctl, asked] of this.inFlight) if (asked !== base) ctl.abort(new Error(`moved to ${base}`));
  }

  fetchInit(init: InitMeta, signal?: AbortSignal): Promise<Uint8Array> {
    return this.getBytes(originUrls.init(this.stream, this.epoch, init.initId), init.size, signal);
  }

  fetchChunk(meta: ChunkMeta, signal: AbortSignal, range?: readonly [number, number]): Promise<Uint8Array> {
    const path = originUrls.chunk(this.stream, this.epoch, meta.seq);
    if (!range || (range[0] === 0 && range[1] === meta.size)) return this.getBytes(path, meta.size, signal);
    return this.getRange(path, meta.size, range, signal);
  }

  /**
   * Init part + start chunk in one request (the origin's start route). Needs no epoch: the answer names
   * it. The engine verifies the bytes; here only the framing is checked.
   */
  async fetchStart(leadMs: number, signal: AbortSignal): Promise<OriginStart> {
    const path = originUrls.start(this.stream, leadMs);
    const res = await this.get(path, { signal, cache: 'no-store' });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    const int = (name: string) => {
      const v = res.headers.get(name);
      if (v === null || !/^\d{1,12}$/.test(v)) throw new Error(`${path}: bad or missing ${name}`);
      return Number(v);
    };
    const epoch = res.headers.get(START_HEADERS.epoch) ?? '';
    const initSize = int(START_HEADERS.initSize);
    if (!epoch) throw new Error(`${path}: missing ${START_HEADERS.epoch}`);
    if (initSize < 1 || initSize >= res.bytes.byteLength)
      throw new Error(`${path}: init size ${initSize} of a ${res.bytes.byteLength}-byte body`);
    return {
      epoch,
      initId: int(START_HEADERS.initId),
      init: res.bytes.subarray(0, initSize),
      seq: int(START_HEADERS.seq),
      chunk: res.bytes.subarray(initSize),
      firstByteMs: res.headersMs,
    };
  }

  /** The manifest of `baseUrl` (default: the node in use). */
  async fetchManifest(signal?: AbortSignal, baseUrl = this.base): Promise<StreamManifest> {
    const res = await this.get(
      originUrls.manifest(this.stream),
      { signal: signal ?? null, cache: 'no-store' },
      baseUrl,
    );
    if (res.status !== 200) throw new Error(`manifest: HTTP ${res.status}`);
    return streamManifestSchema.parse(JSON.parse(new TextDecoder().decode(res.bytes)));
  }

  /** GET of `path` on `base`, body read in full under the same abort signal; `headersMs`: request → headers. */
  private async get(
    path: string,
    init: RequestInit,
    base = this.base,
  ): Promise<{ status: number; headers: Headers; headersMs: number; bytes: Uint8Array }> {
    const ctl = new AbortController();
    const callerAbort = () => ctl.abort(init.signal?.reason);
    if (init.signal?.aborted) callerAbort();
    init.signal?.addEventListener('abort', callerAbort);
    this.inFlight.set(ctl, base);
    try {
      const sentAt = performance.now();
      const res = await this.fetchFn(`${base.replace(/\/$/, '')}${path}`, { ...init, signal: ctl.signal });
      const headersMs = performance.now() - sentAt;
      return { status: res.status, headers: res.headers, headersMs, bytes: new Uint8Array(await res.arrayBuffer()) };
    } catch (err) {
      if (!ctl.signal.aborted) this.onUnreachable(base, err);
      throw err;
    } finally {
      this.inFlight.delete(ctl);
      init.signal?.removeEventListener('abort', callerAbort);
    }
  }

  /** Bytes [start, end) of an immutable part: 206 with exactly them, or (a server without ranges) the whole part. */
  private async getRange(
    path: string,
    size: number,
    [start, end]: readonly [number, number],
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    if (start < 0 || end > size || end <= start) throw new Error(`${path}: bad range ${start}-${end} of ${size}`);
    const res = await this.get(path, { signal: signal ?? null, headers: { range: `bytes=${start}-${end - 1}` } });
    if (res.status === 200 && res.bytes.byteLength === size) return res.bytes.subarray(start, end);
    if (res.status !== 206) throw new Error(`${path}: HTTP ${res.status}`);
    if (res.bytes.byteLength !== end - start)
      throw new Error(`${path}: ${res.bytes.byteLength} bytes for range ${start}-${end - 1}, expected ${end - start}`);
    return res.bytes;
  }

  private async getBytes(path: string, expectedSize: number, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.get(path, { signal: signal ?? null });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    const bytes = res.bytes;
    // the engine checks the hash; a size mismatch is already a clear failure
    if (bytes.byteLength !== expectedSize)
      throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${expectedSize}`);
    return bytes;
  }
}
