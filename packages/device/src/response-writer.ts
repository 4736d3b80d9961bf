/**
 * The camera's side of request framing (protocol/framing): reads the request frame from a fresh data
 * channel and gives the handler a writer for head, body and end. Body bytes are cut into frames of at
 * most FRAME_MAX_BODY_BYTES; `bufferedAmount` and `drained()` let producers respect backpressure.
 */
import {
  concatBytes,
  encodeFrame,
  FRAME_MAX_BODY_BYTES,
  parseRequestFrame,
  parseSignal,
  upstreamFrameSchema,
  type RequestFrame,
} from '@xp2p/protocol';
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

export function serveRequestChannel(
  channel: RTCDataChannel,
  handle: RequestHandler,
  log: (line: string) => void,
  ctx: RequestContext = { sessionId: '' },
): void {
  channel.binaryType = 'arraybuffer';
  let headSent = false;
  let done = false;
  let gotRequest = false;
  const closeListeners: (() => void)[] = [];
  let upstream: { onData: (d: ArrayBuffer) => void; onEnd: () => void } | undefined;

  const safeSend = (data: string | Uint8Array): boolean => {
    if (done || channel.readyState !== 'open') return false;
    try {
      channel.send(data as Uint8Array<ArrayBuffer>);
      return true;
    } catch {
      return false;
    }
  };
  // Writes made in one tick (a live viewer's GOP-cache start is dozens of tags) go out as few frames of
  // up to FRAME_MAX_BODY_BYTES: each data-channel message costs a trip through libdatachannel's thread.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let flushScheduled = false;
  const flush = (): boolean => {
    flushScheduled = false;
    if (pendingBytes === 0) return !done;
    const all = pending.length === 1 ? pending[0]! : concatBytes(pending);
    pending = [];
    pendingBytes = 0;
    for (let o = 0; o < all.byteLength; o += FRAME_MAX_BODY_BYTES) {
      if (!safeSend(all.subarray(o, Math.min(all.byteLength, o + FRAME_MAX_BODY_BYTES)))) return false;
    }
    return true;
  };
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    flush();
    done = true;
    // The viewer closes the channel when it reads `end`. Closing it from here as well can overtake the
    // last frames (libdatachannel resets the stream without waiting for them; seen as a viewer that gets
    // "closed" instead of its 404), so the camera only closes a channel the viewer left open.
    lingerTimer = setTimeout(() => {
      try {
        channel.close();
      } catch {
        /* already closed */
      }
    }, DEVICE_DEFAULTS.requestChannelLingerMs);
  };

  const writer: ResponseWriter = {
    head(status, headers = {}) {
      if (headSent || done) return;
      headSent = true;
      flush();
      safeSend(encodeFrame({ type: 'head', status, headers }));
    },
    write(bytes) {
      if (!headSent) writer.head(200);
      if (done) return false;
      pending.push(bytes);
      pendingBytes += bytes.byteLength;
      if (pendingBytes >= FRAME_MAX_BODY_BYTES) return flush();
      if (!flushScheduled) {
        flushScheduled = true;
        queueMicrotask(flush);
      }
      return true;
    },
    end() {
      if (done) return;
      if (!headSent) writer.head(200);
      flush();
      safeSend(encodeFrame({ type: 'end' }));
      finish();
    },
    fail(status, message) {
      if (done) return;
      if (!headSent) {
        writer.head(status, { 'x-reason': message.slice(0, 512) });
        safeSend(encodeFrame({ type: 'end' }));
      } else {
        flush();
        safeSend(encodeFrame({ type: 'error', status, message: message.slice(0, 1024) }));
      }
      finish();
    },
    get bufferedAmount() {
      try {
        return channel.bufferedAmount + pendingBytes;
      } catch {
        return pendingBytes;
      }
    },
    get closed() {
      return done || channel.readyState !== 'open';
    },
    drained(threshold = 256 * 1024) {
      if (channel.readyState !== 'open' || writer.bufferedAmount <= threshold) return Promise.resolve();
      return new Promise<void>((resolve) => {
        channel.bufferedAmountLowThreshold = threshold;
        const poll = setInterval(() => {
          if (channel.readyState !== 'open' || writer.bufferedAmount <= threshold) finishWait();
        }, 50);
        const finishWait = () => {
          clearInterval(poll);
          channel.removeEventListener('bufferedamountlow', finishWait);
          channel.removeEventListener('close', finishWait);
          resolve();
        };
        channel.addEventListener('bufferedamountlow', finishWait);
        channel.addEventListener('close', finishWait);
      });
    },
    onClose(cb) {
      closeListeners.push(cb);
    },
    onUpstream(onData, onEnd) {
      upstream = { onData, onEnd };
    },
  };

  channel.onmessage = (ev: MessageEvent) => {
    if (!gotRequest) {
      gotRequest = true;
      if (typeof ev.data !== 'string') return writer.fail(400, 'first message must be the request');
      const parsed = parseRequestFrame(ev.data);
      if (!parsed.ok) return writer.fail(400, parsed.error);
      const params = new URLSearchParams(parsed.message.query);
      try {
        handle(parsed.message, params, writer, ctx);
      } catch (err) {
        log(`request handler failed: ${String(err)}`);
        writer.fail(500, 'internal error');
      }
      return;
    }
    if (typeof ev.data === 'string') {
      const parsed = parseSignal(upstreamFrameSchema, ev.data);
      if (parsed.ok) upstream?.onEnd();
      return;
    }
    upstream?.onData(ev.data as ArrayBuffer);
  };
  channel.onclose = () => {
    done = true;
    clearTimeout(lingerTimer);
    for (const cb of closeListeners.splice(0)) {
      try {
        cb();
      } catch (err) {
        log(`close listener failed: ${String(err)}`);
      }
    }
  };
}
