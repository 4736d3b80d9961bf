/**
 * The 1vN origin: the live streams by name, their publishers (HTTP ingest, pulls, in-process sources),
 * and what each has sent to viewers. A stream whose publisher stopped stays servable for
 * `endedStreamRetainMs`, then is dropped; a new publish of the name starts a new epoch at once.
 */
import {
  isCameraStreamName,
  streamNameSchema,
  type FlvHeaderFlags,
  type FlvTag,
  type OriginEvent,
} from '@xp2p/protocol';
import type { ServerTuning } from '../defaults.js';
import { LiveStream } from './live-stream.js';
import { InvalidStreamNameError, OriginClosedError, StreamBusyError } from './origin-errors.js';
import { publishKeyFor } from './publish-key.js';
import { pullHttpFlv, type PullHandle } from './pull.js';
import { streamSigner, type StreamSigner } from './stream-signer.js';
import type { Publisher } from './publisher.js';

export type { Publisher } from './publisher.js';

/** Receives the origin's events (init, chunk, eof) of every stream. */
export type OriginListener = (stream: string, event: OriginEvent) => void;

interface StreamRecord {
  stream: LiveStream;
  originBytes: number;
  /** drops the record once an ended stream's retention is over */
  dropTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Past epochs remembered per name, so their URLs answer 410 rather than 404. */
const REMEMBERED_EPOCHS = 16;
const REMEMBERED_NAMES = 1_000;

/**
 * The 1vN origin: live streams published into it (a publisher or a pull), each cut into numbered,
 * hashed, keyframe-aligned chunks with immutable URLs, and served as HTTP-FLV.
 */
export class Origin {
  readonly #tuning: ServerTuning;
  readonly #log: (line: string) => void;
  readonly #records = new Map<string, StreamRecord>();
  readonly #pastEpochs = new Map<string, string[]>();
  readonly #listeners = new Set<OriginListener>();
  readonly #dropListeners = new Set<(stream: string) => void>();
  readonly #pulls = new Set<PullHandle>();
  readonly #sentListeners = new Set<(bytes: number) => void>();

  readonly #masterPublishKey: string | undefined;
  #closed = false;

  /**
   * `masterPublishKey`: the config's master key; each stream's records are signed with the key its publish
   * key derives (stream-signer.ts). Without it (tests of other parts) records go unsigned.
   */
  constructor(tuning: ServerTuning, log: (line: string) => void, masterPublishKey?: string) {
    this.#tuning = tuning;
    this.#log = log;
    this.#masterPublishKey = masterPublishKey;
  }

  /**
   * Starts a publish of `name`; its records are signed with the key `publishKey` derives (a camera's own key
   * for its stream), by default the stream's key under the master key. Throws InvalidStreamNameError,
   * StreamBusyError (already live), OriginClosedError.
   */
  openPublisher(name: string, publishKey?: string): Publisher {
    const key = publishKey ?? (this.#masterPublishKey && publishKeyFor(this.#masterPublishKey, name));
    const stream = this.#open(name, undefined, key ? streamSigner(key, name) : undefined);
    this.#log(`stream ${name} published (epoch ${stream.epoch})`);
    return {
      stream: name,
      epoch: stream.epoch,
      get ended() {
        return !stream.live;
      },
      setHeader: (flags) => stream.setHeader(flags),
      push: (tag) => {
        if (!stream.live) return false;
        stream.push(tag);
        return true;
      },
      end: () => {
        if (!stream.live) return;
        stream.end();
        this.#log(`stream ${name} ended after ${stream.chunkCount} chunks`);
      },
    };
  }

  /**
   * Opens a local mirror of a stream published on another cluster node (cluster/stream-mirror.ts feeds it
   * with that node's init parts and chunks). Served like a local publish; `stream.end()` ends it.
   * Same errors as openPublisher.
   */
  openMirror(name: string, epoch: string, nodeUrl: string): LiveStream {
    const stream = this.#open(name, { epoch, nodeUrl });
    this.#log(`stream ${name} mirrored from ${nodeUrl} (epoch ${epoch})`);
    return stream;
  }

  #open(name: string, mirrorOf: { epoch: string; nodeUrl: string } | undefined, signer?: StreamSigner): LiveStream {
    if (this.#closed) throw new OriginClosedError();
    if (!streamNameSchema.safeParse(name).success) throw new InvalidStreamNameError(name);
    const previous = this.#records.get(name);
    if (previous?.stream.live) throw new StreamBusyError(name);
    if (previous) this.#drop(name);

    const stream = new LiveStream(name, {
      targetChunkMs: this.#tuning.targetChunkMs,
      windowMs: this.#tuning.originWindowMs,
      windowMaxBytes: this.#tuning.originWindowMaxBytes,
      windowMaxChunks: this.#tuning.originWindowMaxChunks,
      ...(mirrorOf ? { mirrorOf } : {}),
      ...(signer ? { signer } : {}),
    });
    const record: StreamRecord = { stream, originBytes: 0, dropTimer: undefined };
    this.#records.set(name, record);
    stream.subscribe((event) => {
      const originEvent = stream.toOriginEvent(event);
      for (const listener of [...this.#listeners]) listener(name, originEvent);
      if (event.type === 'eof') this.#scheduleDrop(record);
    });
    return stream;
  }

  /** Publishes an in-process tag source until it ends (or `signal` aborts); resolves with the epoch. */
  async publishTags(
    name: string,
    source: AsyncIterable<FlvTag> | Iterable<FlvTag>,
    options: { header?: FlvHeaderFlags; signal?: AbortSignal } = {},
  ): Promise<string> {
    const publisher = this.openPublisher(name);
    if (options.header) publisher.setHeader(options.header);
    try {
      for await (const tag of source) {
        if (options.signal?.aborted || !publisher.push(tag)) break;
      }
    } finally {
      publisher.end();
    }
    return publisher.epoch;
  }

  /**
   * Pulls an HTTP-FLV URL into stream `name` until the upstream ends, fails, or `stop()` is called.
   * The publish starts once the upstream answers 200 (so a busy name fails in `done`, not here).
   */
  startPull(name: string, upstreamUrl: string): PullHandle {
    if (this.#closed) throw new OriginClosedError();
    if (!streamNameSchema.safeParse(name).success) throw new InvalidStreamNameError(name);
    const handle = pullHttpFlv(upstreamUrl, () => this.openPublisher(name), this.#tuning.publishMaxTagBytes);
    this.#pulls.add(handle);
    void handle.done.then((result) => {
      this.#pulls.delete(handle);
      const why = result.reason === 'error' ? `failed: ${result.error.message}` : result.reason;
      this.#log(`pull ${name} ← ${upstreamUrl}: ${why}`);
    });
    return handle;
  }

  /** The current (or recently ended) publish of `name`. */
  stream(name: string): LiveStream | undefined {
    return this.#records.get(name)?.stream;
  }

  /**
   * The public key `name`'s records are signed with (what its viewers' URL carries as `?pk=`): its publish's
   * own, else the one the master key derives, which is the same on every node (a mirror here has none of its
   * own). Undefined for a camera's stream not published here (only its camera's key signs it).
   */
  publicKeyOf(name: string): string | undefined {
    const own = this.#records.get(name)?.stream.publicKey;
    if (own || isCameraStreamName(name) || !this.#masterPublishKey) return own;
    return streamSigner(publishKeyFor(this.#masterPublishKey, name), name).publicKey;
  }

  /** the live streams, in publish order */
  streams(): LiveStream[] {
    return [...this.#records.values()].map((r) => r.stream);
  }

  /** Was `epoch` a past publish of `name` (its URLs are gone for good)? */
  isPastEpoch(name: string, epoch: string): boolean {
    return this.#pastEpochs.get(name)?.includes(epoch) ?? false;
  }

  /** Counts media bytes the origin sent for `name` (HTTP-FLV, init and chunk downloads). */
  countSent(name: string, bytes: number): void {
    const record = this.#records.get(name);
    if (record) record.originBytes += bytes;
    for (const listener of this.#sentListeners) listener(bytes);
  }

  /** Every byte count passed to countSent (for /metrics: a counter that survives dropped streams). */
  onBytesSent(listener: (bytes: number) => void): () => void {
    this.#sentListeners.add(listener);
    return () => this.#sentListeners.delete(listener);
  }

  /** media bytes this origin sent for a stream (HTTP-FLV, init and chunk downloads) */
  originBytes(name: string): number {
    return this.#records.get(name)?.originBytes ?? 0;
  }

  /** Every origin event of every stream (the tracker pushes them to peers). */
  onEvent(listener: OriginListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called when a stream's record is dropped (retention over, or replaced by a new publish). */
  onDrop(listener: (stream: string) => void): () => void {
    this.#dropListeners.add(listener);
    return () => this.#dropListeners.delete(listener);
  }

  /** Ends every publish (viewers get eof), stops pulls and retention timers. */
  async close(): Promise<void> {
    this.#closed = true;
    const pulls = [...this.#pulls];
    for (const pull of pulls) pull.stop();
    for (const record of this.#records.values()) record.stream.end();
    await Promise.all(pulls.map((p) => p.done));
    for (const name of [...this.#records.keys()]) this.#drop(name);
  }

  #scheduleDrop(record: StreamRecord): void {
    if (this.#closed) return;
    record.dropTimer = setTimeout(() => {
      if (this.#records.get(record.stream.name) === record) this.#drop(record.stream.name);
    }, this.#tuning.endedStreamRetainMs);
  }

  #drop(name: string): void {
    const record = this.#records.get(name);
    if (!record) return;
    clearTimeout(record.dropTimer);
    record.stream.end();
    this.#records.delete(name);
    const past = [...(this.#pastEpochs.get(name) ?? []), record.stream.epoch].slice(-REMEMBERED_EPOCHS);
    this.#pastEpochs.delete(name); // re-insert: the map stays ordered by last use
    this.#pastEpochs.set(name, past);
    if (this.#pastEpochs.size > REMEMBERED_NAMES) this.#pastEpochs.delete(this.#pastEpochs.keys().next().value!);
    for (const listener of [...this.#dropListeners]) listener(name);
  }
}
