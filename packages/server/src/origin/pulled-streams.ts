/**
 * 1vN streams the origin pulls from a source itself (`xp2p server --pull NAME=URL`, or `pulls` in the
 * config), as the reference's 1vN server does: nothing is pulled until the first viewer or peer asks for
 * NAME; the pull stops `idleMs` after the last one left; a source that drops while someone watches is
 * opened again with back-off, and its runs are spliced into one stream (same epoch, chunk numbers going on),
 * so viewers and peers never see it end. HTTP-FLV URLs are read directly; anything else (RTMP, RTSP, HLS)
 * through ffmpeg. Chunks, hashes and stats are those of a pushed stream.
 */
import { FlvSplicer } from '@xp2p/protocol';
import { pullWithFfmpeg } from './ffmpeg-pull.js';
import type { Origin, Publisher } from './origin.js';
import { pullHttpFlv, type PullHandle } from './pull.js';

export interface PulledStreamsOptions {
  origin: Origin;
  /** stream name → source URL */
  sources: ReadonlyMap<string, string>;
  /** a pull nobody watches (no HTTP-FLV viewer or feed, no tracker peer) for this long stops */
  idleMs: number;
  /** how long a first request waits for the source's first chunk before it is answered 404 */
  startTimeoutMs: number;
  /** reopening a source that dropped: first wait, doubled up to the cap */
  retryMinMs: number;
  retryMaxMs: number;
  /** an ffmpeg pull gets SIGKILL this long after SIGTERM */
  killTimeoutMs: number;
  maxTagBytes: number;
  /** tracker peers of a stream on this node (they keep its pull going) */
  peersHere: (stream: string) => number;
  log: (line: string) => void;
}

/** Plain HTTP(S) URLs are taken to be HTTP-FLV unless they name an HLS playlist. */
export function pullsWithFfmpeg(url: string): boolean {
  return !/^https?:\/\//i.test(url) || /\.m3u8(\?|$)/i.test(url);
}

class PulledStream {
  private handle: PullHandle | undefined;
  private publisher: Publisher | undefined;
  private readonly splicer = new FlvSplicer();
  private retryMs: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private lastUsed = Date.now();
  /** the FLV header flags go to the stream once, from the first run */
  private headerSet = false;
  private readonly firstChunkWaiters = new Set<(ok: boolean) => void>();
  stopped = false;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly o: PulledStreamsOptions,
    private readonly onStop: () => void,
  ) {
    this.retryMs = o.retryMinMs;
    this.o.log(`pull ${name}: a viewer arrived, pulling ${url}`);
    this.connect();
    this.idleTimer = setInterval(() => this.checkIdle(), Math.max(50, Math.min(1000, o.idleMs / 4)));
  }

  /** Resolves true once the stream has media to serve, false when the source gave none in time. */
  ready(): Promise<boolean> {
    if (this.servable()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), this.o.startTimeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.firstChunkWaiters.delete(done);
        resolve(ok);
      };
      this.firstChunkWaiters.add(done);
    });
  }

  stop(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.idleTimer);
    this.handle?.stop();
    this.publisher?.end();
    for (const waiter of [...this.firstChunkWaiters]) waiter(false);
    this.o.log(`pull ${this.name}: stopped (${why})`);
    this.onStop();
  }

  private servable(): boolean {
    const stream = this.o.origin.stream(this.name);
    return stream?.live === true && stream.init !== undefined && stream.chunkCount > 0;
  }

  private connect(): void {
    if (this.stopped) return;
    const open = (): Publisher => this.runPublisher();
    this.handle = pullsWithFfmpeg(this.url)
      ? pullWithFfmpeg(this.url, open, this.o.maxTagBytes, { killTimeoutMs: this.o.killTimeoutMs })
      : pullHttpFlv(this.url, open, this.o.maxTagBytes);
    const started = Date.now();
    void this.handle.done.then((result) => {
      if (this.stopped || result.reason === 'stopped') return;
      // a run that delivered for a while was healthy: the next failure starts the back-off over
      if (Date.now() - started > 10 * this.o.retryMinMs) this.retryMs = this.o.retryMinMs;
      const why = result.reason === 'error' ? result.error.message : 'the source ended';
      this.o.log(`pull ${this.name}: ${why}; reopening in ${this.retryMs} ms`);
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs);
    });
  }

  /**
   * The publisher one run of the source writes to: the stream's own publisher, opened at the first run,
   * with each run's tags spliced onto one timeline. A run's end does not end the stream; stop() does.
   */
  private runPublisher(): Publisher {
    if (!this.publisher) this.publisher = this.o.origin.openPublisher(this.name);
    else this.splicer.restart();
    const publisher = this.publisher;
    return {
      stream: publisher.stream,
      epoch: publisher.epoch,
      get ended() {
        return publisher.ended;
      },
      setHeader: (flags) => {
        if (!this.headerSet) publisher.setHeader(flags);
        this.headerSet = true;
      },
      push: (tag) => {
        const out = this.splicer.map(tag);
        const ok = out ? publisher.push(out) : !publisher.ended;
        if (this.firstChunkWaiters.size > 0 && this.servable()) {
          for (const waiter of [...this.firstChunkWaiters]) waiter(true);
        }
        return ok;
      },
      end: () => {}, // one run is over; the stream goes on
    };
  }

  private checkIdle(): void {
    const stream = this.o.origin.stream(this.name);
    // One subscriber is the origin's own bookkeeping; more are HTTP-FLV viewers and feeds here.
    const inUse = (stream?.subscriberCount ?? 0) > 1 || this.o.peersHere(this.name) > 0;
    if (inUse || this.firstChunkWaiters.size > 0) this.lastUsed = Date.now();
    else if (Date.now() - this.lastUsed >= this.o.idleMs) this.stop(`no viewer for ${this.o.idleMs} ms`);
  }
}

export class PulledStreams {
  private readonly running = new Map<string, PulledStream>();
  private closed = false;

  constructor(private readonly o: PulledStreamsOptions) {}

  /**
   * Must a request for `name` wait for `ensure` first? Yes for a pulled stream without media to serve yet:
   * not pulled, or its pull just started (a peer's tracker join and its manifest request race for it).
   */
  wanted(name: string): boolean {
    if (this.closed || !this.o.sources.has(name)) return false;
    const stream = this.o.origin.stream(name);
    return !this.running.has(name) || !(stream?.live && stream.init !== undefined && stream.chunkCount > 0);
  }

  /** Starts pulling `name` if needed; resolves true once it has media to serve. */
  ensure(name: string): Promise<boolean> {
    const url = this.o.sources.get(name);
    if (!url || this.closed) return Promise.resolve(false);
    let pulled = this.running.get(name);
    if (!pulled) {
      const created = new PulledStream(name, url, this.o, () => {
        if (this.running.get(name) === created) this.running.delete(name);
      });
      this.running.set(name, created);
      pulled = created;
    }
    return pulled.ready();
  }

  close(): void {
    this.closed = true;
    for (const pulled of [...this.running.values()]) pulled.stop('server closing');
  }
}
