/**
 * Keeps a camera's source running for as long as the agent runs. Real cameras drop all the time (a reboot,
 * a Wi-Fi blink, an RTSP server restart): when the source ends, fails or goes silent, it is opened again
 * after a back-off, forever, and whoever listens is told the source went down and came back, so live
 * viewers continue on one timeline instead of the camera staying online with a dead feed.
 */
import type { FlvTag } from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from '../defaults.js';
import type { MediaSink, MediaSource } from './media-source.js';

/** What a listener of a reopening source hears besides tags. `onEnd` is never called: it never gives up. */
export interface OutageSink extends MediaSink {
  /** The source ended, failed or went silent; a new one is being opened. Once per outage. */
  onDown(error: Error): void;
  /** Media flows again after an outage (the first tag of the new source follows). */
  onUp(): void;
}

export interface ReopeningSourceOptions {
  /** First wait before reopening, doubled after each failure up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A source that delivered media this long counts as healthy: the next outage starts at minBackoffMs again. */
  healthyAfterMs?: number;
  /** No tag for this long while running counts as an outage (a source that hangs instead of failing). */
  stallTimeoutMs?: number;
  log?: (line: string) => void;
}

export class ReopeningSource implements MediaSource {
  readonly description: string;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly healthyAfterMs: number;
  private readonly stallTimeoutMs: number;
  private readonly log: (line: string) => void;
  private sink: OutageSink | undefined;
  private current: MediaSource | undefined;
  /** Callbacks of a source that was replaced or stopped carry an old generation and are ignored. */
  private generation = 0;
  private backoffMs: number;
  private flowingSince: number | undefined;
  private down = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;

  /** `open` makes a fresh source each time (the first call may be the caller's already-made source). */
  constructor(
    private readonly open: () => MediaSource,
    description: string,
    options: ReopeningSourceOptions = {},
  ) {
    this.description = description;
    this.minBackoffMs = options.minBackoffMs ?? DEVICE_DEFAULTS.sourceReopenMinMs;
    this.maxBackoffMs = options.maxBackoffMs ?? DEVICE_DEFAULTS.sourceReopenMaxMs;
    this.healthyAfterMs = options.healthyAfterMs ?? DEVICE_DEFAULTS.sourceHealthyAfterMs;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEVICE_DEFAULTS.sourceStallTimeoutMs;
    this.log = options.log ?? (() => {});
    this.backoffMs = this.minBackoffMs;
  }

  start(sink: OutageSink): void {
    if (this.sink) throw new Error('ReopeningSource already started');
    this.sink = sink;
    this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stallTimer);
    await this.current?.stop();
    this.current = undefined;
  }

  private launch(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    let source: MediaSource;
    try {
      source = this.open();
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.current = source;
    this.flowingSince = undefined;
    this.armStallTimer(generation);
    source.start({
      onTag: (tag) => {
        if (generation === this.generation) this.onTag(tag, generation);
      },
      onEnd: (error) => {
        if (generation === this.generation) this.fail(error ?? new Error('the source ended'));
      },
    });
  }

  private onTag(tag: FlvTag, generation: number): void {
    if (this.flowingSince === undefined) {
      this.flowingSince = Date.now();
      if (this.down) {
        this.down = false;
        this.log(`source: back after the outage (${this.description})`);
        this.sink!.onUp();
      }
    }
    this.armStallTimer(generation);
    this.sink!.onTag(tag);
  }

  private armStallTimer(generation: number): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (generation === this.generation) this.fail(new Error(`no media for ${this.stallTimeoutMs} ms`));
    }, this.stallTimeoutMs);
  }

  /** The running source is over: stop what is left of it, tell the sink once, and try again later. */
  private fail(error: Error): void {
    if (this.stopped) return;
    this.generation++;
    clearTimeout(this.stallTimer);
    const failed = this.current;
    this.current = undefined;
    void failed?.stop().catch(() => {});
    if (this.flowingSince !== undefined && Date.now() - this.flowingSince >= this.healthyAfterMs) {
      this.backoffMs = this.minBackoffMs;
    }
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.log(`source down: ${error.message}; reopening in ${wait} ms`);
    if (!this.down) {
      this.down = true;
      this.sink!.onDown(error);
    }
    this.retryTimer = setTimeout(() => this.launch(), wait);
  }
}
