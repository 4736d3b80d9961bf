/**
 * A 1vN stream published on another node, served here too. The node that has the publish (its origin
 * node) registers it in Redis; when a request for it reaches this node (a tracker join, HTTP-FLV, the
 * manifest, feed, init or chunk URLs), this node opens a mirror: it follows the origin node's announce
 * feed and fetches each init part and chunk ONCE from it, checks the bytes against the announced SHA-256,
 * and keeps them in a local LiveStream with the same epoch, numbers and hashes. From then on every URL of
 * the stream is answered here from memory, and this node's tracker announces the same chunks, so peers on
 * different nodes can trade them.
 *
 * Why fetch-once rather than redirect: chunk and init URLs are immutable (safe to copy), a mirror costs the
 * origin node one copy of the stream per node instead of one per viewer, it serves the long-lived HTTP-FLV
 * and feed responses too (a redirect would pin those to the origin node), and viewers keep one base URL
 * (the node or load balancer they were given). The mirror lasts as long as the publish: the origin's eof
 * (or losing its feed) ends it, and viewers here get eof as they would on the origin node. A mirror nobody
 * here uses (no tracker peer, HTTP-FLV viewer or feed) for `idleMs` stops copying; the next request opens
 * a new one.
 */
import {
  originEventSchema,
  originUrls,
  streamManifestSchema,
  type ChunkMeta,
  type InitMeta,
  type OriginEvent,
} from '@xp2p/protocol';
import { MIRROR_HEADER } from '../origin/live-routes.js';
import type { Origin } from '../origin/origin.js';
import type { LiveStream } from '../origin/live-stream.js';
import { sha256Hex } from '../origin/sha256.js';
import { ClusterUnavailableError, type Cluster, type StreamLocation } from './cluster.js';

export interface StreamMirrorsOptions {
  cluster: Cluster;
  origin: Origin;
  log: (line: string) => void;
  /** bound on each fetch from the origin node (manifest, init, chunk, feed headers) */
  fetchTimeoutMs: number;
  /** how long a mirror may go unused before it stops */
  idleMs: number;
  /** tracker peers of a stream on this node (they keep its mirror in use) */
  peersHere: (stream: string) => number;
  /** counts bytes fetched from other nodes (for /metrics) */
  onFetched?: (bytes: number) => void;
}

/** The longest feed line we accept (one OriginEvent; they are a few hundred bytes). */
const MAX_FEED_LINE = 64 * 1024;

export class StreamMirrors {
  readonly #o: StreamMirrorsOptions;
  readonly #pending = new Map<string, Promise<boolean>>();
  readonly #running = new Set<AbortController>();
  #closed = false;

  constructor(options: StreamMirrorsOptions) {
    this.#o = options;
  }

  /** false alone (no cluster): nothing is ever mirrored */
  get clustered(): boolean {
    return this.#o.cluster.enabled;
  }

  /** Should a request for `name` look in the cluster first (nothing servable here yet)? */
  wanted(name: string): boolean {
    if (!this.#o.cluster.enabled || this.#closed) return false;
    const local = this.#o.origin.stream(name);
    // a local publish (live or just ended) answers for itself; an ended mirror may have a newer epoch
    return !local || (!local.live && local.mirrorOf !== undefined);
  }

  /**
   * Makes `name` servable here when it is published on another node. Resolves true once the mirror has
   * its init part and first chunk; false when no node has it. Throws ClusterUnavailableError (Redis down).
   */
  ensure(name: string): Promise<boolean> {
    if (!this.wanted(name)) return Promise.resolve(this.#o.origin.stream(name) !== undefined);
    let pending = this.#pending.get(name);
    if (!pending) {
      pending = this.#open(name).finally(() => this.#pending.delete(name));
      this.#pending.set(name, pending);
    }
    return pending;
  }

  /**
   * The node publishing `name` when that is another node (a second publisher must be refused there too);
   * undefined otherwise, and with Redis down (the node then only knows its own streams).
   */
  async publishedElsewhere(name: string): Promise<string | undefined> {
    if (!this.#o.cluster.enabled) return undefined;
    try {
      const location = await this.#o.cluster.findStream(name);
      return location && location.node !== this.#o.cluster.nodeId ? location.node : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.#closed = true;
    for (const abort of this.#running) abort.abort();
    this.#running.clear();
  }

  async #open(name: string): Promise<boolean> {
    const location = await this.#o.cluster.findStream(name);
    if (!location || location.node === this.#o.cluster.nodeId) return false;
    const abort = new AbortController();
    this.#running.add(abort);
    let stream: LiveStream | undefined;
    try {
      const manifest = streamManifestSchema.parse(
        await this.#fetchJson(`${location.url}${originUrls.manifest(name)}`, abort.signal),
      );
      if (!manifest.live) return false;
      // Open the feed before reading any chunk, so nothing cut in between is missed.
      const feed = await this.#fetch(`${location.url}${originUrls.feed(name)}`, abort.signal, false);
      stream = this.#o.origin.openMirror(name, manifest.epoch, location.url);
      const mirror = stream;
      mirror.addInit({ meta: manifest.init, bytes: await this.#part(location, name, manifest.epoch, manifest.init) });
      // Start where a viewer can: the latest keyframe the origin still holds (older chunks nobody here needs).
      const keyframes = manifest.chunks.filter((c) => c.keyframe);
      const startSeq = keyframes.at(-1)?.seq ?? (manifest.chunks.at(-1)?.seq ?? -1) + 1;
      for (const chunk of manifest.chunks) {
        if (chunk.seq >= startSeq) await this.#addChunk(mirror, location, chunk, abort.signal);
      }
      const idle = this.#watchIdle(mirror, abort);
      void this.#follow(mirror, location, feed, startSeq, abort).finally(() => {
        clearInterval(idle);
        this.#running.delete(abort);
        if (mirror.live) {
          mirror.end();
          this.#o.log(`mirror of ${name}: feed from node ${location.node} lost, stream ended here`);
        }
      });
      return true;
    } catch (err) {
      this.#running.delete(abort);
      abort.abort();
      stream?.end();
      if (err instanceof ClusterUnavailableError) throw err;
      this.#o.log(`mirror of ${name} from node ${location.node} failed: ${(err as Error).message}`);
      return false;
    }
  }

  /** Stops a mirror nobody here has used for `idleMs` (the feed loop then ends it). */
  #watchIdle(mirror: LiveStream, abort: AbortController): ReturnType<typeof setInterval> {
    // One subscriber is the origin's own bookkeeping; more are HTTP-FLV viewers and feeds here.
    const inUse = (): boolean => mirror.subscriberCount > 1 || this.#o.peersHere(mirror.name) > 0;
    let lastUsed = Date.now();
    const timer = setInterval(
      () => {
        if (inUse()) lastUsed = Date.now();
        else if (Date.now() - lastUsed >= this.#o.idleMs) {
          this.#o.log(`mirror of ${mirror.name}: unused for ${this.#o.idleMs} ms, stopped`);
          mirror.end(); // before the abort, so the loop's end is not logged as a lost feed
          abort.abort();
        }
      },
      Math.max(50, this.#o.idleMs / 4),
    );
    timer.unref();
    return timer;
  }

  /** Applies the origin node's feed until eof: new init parts and chunks, fetched once each, in order. */
  async #follow(
    mirror: LiveStream,
    location: StreamLocation,
    feed: Response,
    startSeq: number,
    abort: AbortController,
  ): Promise<void> {
    const apply = async (event: OriginEvent): Promise<boolean> => {
      if (event.epoch !== mirror.epoch) return false; // a new publish: this mirror is over
      switch (event.type) {
        case 'init':
          if (event.init.initId !== mirror.init?.meta.initId) {
            const bytes = await this.#part(location, mirror.name, mirror.epoch, event.init, abort.signal);
            mirror.addInit({ meta: event.init, bytes });
          }
          return true;
        case 'chunk':
          if (event.chunk.seq >= startSeq && event.chunk.seq > mirror.lastSeq) {
            await this.#addChunk(mirror, location, event.chunk, abort.signal);
          }
          return true;
        case 'eof':
          mirror.end();
          return false;
      }
    };
    const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !mirror.live) return;
        buffered += value;
        if (buffered.length > MAX_FEED_LINE && !buffered.includes('\n')) throw new Error('feed line too long');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line.trim()) continue;
          const event = originEventSchema.safeParse(JSON.parse(line));
          if (!event.success) throw new Error('feed line is not an origin event');
          if (!(await apply(event.data))) return;
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) this.#o.log(`mirror of ${mirror.name}: ${(err as Error).message}`);
    } finally {
      abort.abort();
      reader.releaseLock();
    }
  }

  async #addChunk(mirror: LiveStream, location: StreamLocation, chunk: ChunkMeta, signal: AbortSignal): Promise<void> {
    const url = `${location.url}${originUrls.chunk(mirror.name, mirror.epoch, chunk.seq)}`;
    mirror.addChunk({ meta: chunk, bytes: await this.#verified(url, chunk, signal) });
  }

  #part(
    location: StreamLocation,
    name: string,
    epoch: string,
    init: InitMeta,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    return this.#verified(`${location.url}${originUrls.init(name, epoch, init.initId)}`, init, signal);
  }

  /** Fetches an immutable part and checks it against its announced size and SHA-256. */
  async #verified(url: string, meta: { size: number; hash: string }, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.#fetch(url, signal, true);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength !== meta.size || sha256Hex(bytes) !== meta.hash) {
      throw new Error(`${url}: bytes do not match the announced hash`);
    }
    this.#o.onFetched?.(bytes.byteLength);
    return bytes;
  }

  async #fetchJson(url: string, signal: AbortSignal): Promise<unknown> {
    return (await this.#fetch(url, signal, true)).json();
  }

  /** GET with a deadline: on the whole response when `whole`, else on its headers only (feeds are endless). */
  async #fetch(url: string, signal: AbortSignal | undefined, whole: boolean): Promise<Response> {
    const callers = signal ? [signal] : [];
    let res: Response;
    if (whole) {
      res = await fetch(url, {
        headers: { [MIRROR_HEADER]: this.#o.cluster.nodeId },
        signal: AbortSignal.any([AbortSignal.timeout(this.#o.fetchTimeoutMs), ...callers]),
      });
    } else {
      const headers = new AbortController();
      const timer = setTimeout(() => headers.abort(new Error(`${url}: no answer`)), this.#o.fetchTimeoutMs);
      try {
        res = await fetch(url, {
          headers: { [MIRROR_HEADER]: this.#o.cluster.nodeId },
          signal: AbortSignal.any([headers.signal, ...callers]),
        });
      } finally {
        clearTimeout(timer);
      }
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`${url}: HTTP ${res.status}`);
    }
    return res;
  }
}
