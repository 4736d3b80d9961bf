/**
 * What a camera's request handler answers through (protocol/framing): a writer for head, body and end.
 * Body bytes are cut into frames of at most FRAME_MAX_BODY_BYTES; `bufferedAmount` and `drained()` let
 * producers respect backpressure. request-channel.ts reads the request and hands the handler this writer.
 */
import { concatBytes, encodeFrame, FRAME_MAX_BODY_BYTES, type RequestFrame } from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';

export interface ResponseWriter {
  head(status: number, headers?: Record<string, string>): void;
  /** Queues body bytes; false once the channel is closed. */
  write(bytes: Uint8Array): boolean;
  end(): void;
  /** Ends with an error frame (after head) or an error head (before). */
  fail(status: number, message: string): void;
  readonly bufferedAmount: number;
  readonly closed: boolean;
  /** Resolves when the send buffer falls below `threshold` bytes (or the channel closes). */
  drained(threshold?: number): Promise<void>;
  /** The viewer went away or cancelled. */
  onClose(cb: () => void): void;
  /** Upstream bytes from the viewer (talkback) and its end marker. */
  onUpstream(onData: (data: ArrayBuffer) => void, onEnd: () => void): void;
}

/**
 * What a handler knows about who is asking: the viewer's P2P session. Several requests of one session
 * run at once (a playback, and the commands that pause or seek it), and they find each other by it.
 */
export interface RequestContext {
  sessionId: string;
}

export type RequestHandler = (
  request: RequestFrame,
  params: URLSearchParams,
  res: ResponseWriter,
  ctx: RequestContext,
) => void;

/**
 * The ResponseWriter over one request channel: head, body and end frames (protocol/framing), body bytes
 * written in one tick coalesced into frames of at most FRAME_MAX_BODY_BYTES, backpressure through
 * `bufferedAmount` and `drained()`, and the channel left for the viewer to close (see finish()).
 */
export class ChannelResponseWriter implements ResponseWriter {
  readonly #channel: RTCDataChannel;
  #headSent = false;
  #done = false;
  readonly #closeListeners: (() => void)[] = [];
  #upstream: { onData: (d: ArrayBuffer) => void; onEnd: () => void } | undefined;
  // Writes made in one tick (a live viewer's GOP-cache start is dozens of tags) go out as few frames of
  // up to FRAME_MAX_BODY_BYTES: each data-channel message costs a trip through libdatachannel's thread.
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(channel: RTCDataChannel) {
    this.#channel = channel;
  }

  head(status: number, headers: Record<string, string> = {}): void {
    if (this.#headSent || this.#done) return;
    this.#headSent = true;
    this.#flush();
    this.#send(encodeFrame({ type: 'head', status, headers }));
  }

  write(bytes: Uint8Array): boolean {
    if (!this.#headSent) this.head(200);
    if (this.#done) return false;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    if (this.#pendingBytes >= FRAME_MAX_BODY_BYTES) return this.#flush();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return true;
  }

  end(): void {
    if (this.#done) return;
    if (!this.#headSent) this.head(200);
    this.#flush();
    this.#send(encodeFrame({ type: 'end' }));
    this.#finish();
  }

  fail(status: number, message: string): void {
    if (this.#done) return;
    if (!this.#headSent) {
      this.head(status, { 'x-reason': message.slice(0, 512) });
      this.#send(encodeFrame({ type: 'end' }));
    } else {
      this.#flush();
      this.#send(encodeFrame({ type: 'error', status, message: message.slice(0, 1024) }));
    }
    this.#finish();
  }

  get bufferedAmount(): number {
    try {
      return this.#channel.bufferedAmount + this.#pendingBytes;
    } catch {
      return this.#pendingBytes;
    }
  }

  get closed(): boolean {
    return this.#done || this.#channel.readyState !== 'open';
  }

  drained(threshold = 256 * 1024): Promise<void> {
    const channel = this.#channel;
    if (channel.readyState !== 'open' || this.bufferedAmount <= threshold) return Promise.resolve();
    return new Promise<void>((resolve) => {
      channel.bufferedAmountLowThreshold = threshold;
      const poll = setInterval(() => {
        if (channel.readyState !== 'open' || this.bufferedAmount <= threshold) finishWait();
      }, DEVICE_DEFAULTS.drainPollMs);
      const finishWait = () => {
        clearInterval(poll);
        channel.removeEventListener('bufferedamountlow', finishWait);
        channel.removeEventListener('close', finishWait);
        resolve();
      };
      channel.addEventListener('bufferedamountlow', finishWait);
      channel.addEventListener('close', finishWait);
    });
  }

  onClose(cb: () => void): void {
    this.#closeListeners.push(cb);
  }

  onUpstream(onData: (data: ArrayBuffer) => void, onEnd: () => void): void {
    this.#upstream = { onData, onEnd };
  }

  /** Talkback bytes from the viewer, for the handler that asked with onUpstream. */
  upstreamData(data: ArrayBuffer): void {
    this.#upstream?.onData(data);
  }

  upstreamEnded(): void {
    this.#upstream?.onEnd();
  }

  /** The channel closed (the viewer left, cancelled, or read `end`): tell the handler's listeners. */
  channelClosed(log: (line: string) => void): void {
    this.#done = true;
    clearTimeout(this.#lingerTimer);
    for (const cb of this.#closeListeners.splice(0)) {
      try {
        cb();
      } catch (err) {
        log(`close listener failed: ${String(err)}`);
      }
    }
  }

  #send(data: string | Uint8Array): boolean {
    if (this.#done || this.#channel.readyState !== 'open') return false;
    try {
      this.#channel.send(data as Uint8Array<ArrayBuffer>);
      return true;
    } catch {
      return false;
    }
  }

  #flush(): boolean {
    this.#flushScheduled = false;
    if (this.#pendingBytes === 0) return !this.#done;
    const all = this.#pending.length === 1 ? this.#pending[0]! : concatBytes(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    for (let o = 0; o < all.byteLength; o += FRAME_MAX_BODY_BYTES) {
      if (!this.#send(all.subarray(o, Math.min(all.byteLength, o + FRAME_MAX_BODY_BYTES)))) return false;
    }
    return true;
  }

  #finish(): void {
    this.#flush();
    this.#done = true;
    // The viewer closes the channel when it reads `end`. Closing it from here as well can overtake the
    // last frames (libdatachannel resets the stream without waiting for them; seen as a viewer that gets
    // "closed" instead of its 404), so the camera only closes a channel the viewer left open.
    this.#lingerTimer = setTimeout(() => {
      try {
        this.#channel.close();
      } catch {
        /* already closed */
      }
    }, DEVICE_DEFAULTS.requestChannelLingerMs);
  }
}
