/**
 * A push source of FLV bytes for mpegts.js: the sdk's dataCallback pushes ArrayBuffers in, and a loader
 * class (mpegts.js `config.customLoader`) hands them to mpegts.js's IO controller. Bytes that arrive
 * before mpegts.js opens its loader are kept, so nothing before the first keyframe is lost.
 *
 * mpegts.js builds the loader itself (`new customLoader(seekHandler, config)`), so the class is made
 * per source: a closure is the only way to tell that instance where its bytes come from.
 */
import type { MpegtsLoader, MpegtsLoaderConstructor } from './mpegts-types.js';

const LoaderStatus = { idle: 0, connecting: 1, buffering: 2, error: 3, complete: 4 } as const;

/** FLV bytes pushed by the sdk, served to mpegts.js as a custom loader. */
export interface P2PFlvSource {
  /** Give this to mpegts.js as `config.customLoader`. */
  readonly loaderClass: MpegtsLoaderConstructor;
  /** The sdk's dataCallback: `startP2PService(id, info, { msgCallback, dataCallback: source.push })`. */
  push(data: ArrayBuffer): void;
  /** The stream ended normally (the sdk's `eof`). */
  end(): void;
  /** The stream broke (the sdk's `disconnect`); mpegts.js reports it as a network error. */
  fail(message: string): void;
  /** Bytes pushed so far. */
  readonly bytes: number;
}

/** A source the sdk's dataCallback pushes into and mpegts.js reads through `loaderClass`. */
export function createP2PFlvSource(): P2PFlvSource {
  const early: ArrayBuffer[] = [];
  let received = 0;
  let ended: { error?: string } | undefined;
  let active: P2PFlvLoader | undefined;
  /** The loader mpegts.js opened last gets the bytes (it opens a new one after an internal reset). */
  const attach = (loader: P2PFlvLoader | undefined) => {
    active = loader;
  };

  class P2PFlvLoader implements MpegtsLoader {
    _status: number = LoaderStatus.idle;
    // Our chunks are already large enough; mpegts.js's stash only adds delay before the first frame.
    _needStash = false;
    onContentLengthKnown: ((contentLength: number) => void) | null = null;
    onURLRedirect: ((url: string) => void) | null = null;
    onDataArrival: ((chunk: ArrayBuffer, byteStart: number, receivedLength?: number) => void) | null = null;
    onError: ((type: string, info: { code: number; msg: string }) => void) | null = null;
    onComplete: ((from: number, to: number) => void) | null = null;
    private delivered = 0;

    get type() {
      return 'xp2p-loader';
    }
    get status() {
      return this._status;
    }
    get needStashBuffer() {
      return this._needStash;
    }
    isWorking() {
      return this._status === LoaderStatus.connecting || this._status === LoaderStatus.buffering;
    }
    open(): void {
      attach(this);
      this._status = LoaderStatus.buffering;
      // replay what came before mpegts.js was ready; async, as mpegts.js sets up after open() returns
      queueMicrotask(() => {
        if (active !== this) return;
        for (const chunk of early.splice(0)) this.deliver(chunk);
        if (ended) this.finish();
      });
    }
    abort(): void {
      if (active === this) attach(undefined);
      this._status = LoaderStatus.complete;
    }
    destroy(): void {
      this.abort();
      this.onDataArrival = this.onError = this.onComplete = null;
      this.onContentLengthKnown = this.onURLRedirect = null;
      this._status = LoaderStatus.idle;
    }
    deliver(chunk: ArrayBuffer): void {
      const start = this.delivered;
      this.delivered += chunk.byteLength;
      this.onDataArrival?.(chunk, start, this.delivered);
    }
    finish(): void {
      if (ended?.error !== undefined) {
        this._status = LoaderStatus.error;
        // 'UnrecoverableEarlyEof': mpegts.js must not try to reconnect a URL that does not exist
        this.onError?.('UnrecoverableEarlyEof', { code: -1, msg: ended.error });
      } else {
        this._status = LoaderStatus.complete;
        this.onComplete?.(0, this.delivered - 1);
      }
    }
  }

  return {
    loaderClass: P2PFlvLoader as unknown as MpegtsLoaderConstructor,
    push(data) {
      if (ended) return;
      received += data.byteLength;
      // Copy: the sdk may reuse the buffer after the callback, mpegts.js keeps chunks for later parsing.
      const chunk = data.slice(0);
      if (active) active.deliver(chunk);
      else early.push(chunk);
    },
    end() {
      ended ??= {};
      active?.finish();
    },
    fail(message) {
      ended ??= { error: message };
      active?.finish();
    },
    get bytes() {
      return received;
    },
  };
}
