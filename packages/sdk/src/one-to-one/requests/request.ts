/**
 * The viewer's side of request framing (protocol/framing): one data channel per request.
 * Handlers are called in order head → data* → (end | error), each at most once for head/end/error.
 */
import {
  encodeFrame,
  ErrorCode,
  parseResponseFrame,
  REQUEST_CHANNEL_LABEL,
  XP2PError,
  type DeviceRequest,
} from '@xp2p/protocol';
import type { Clock } from '../../clock.js';
import type { DataChannelLike, PeerConnectionLike } from '../../transport.js';

export interface RequestHandlers {
  onHead(status: number, headers: Record<string, string>): void;
  onData(data: ArrayBuffer): void;
  onEnd(): void;
  /** Transport failure or a protocol violation; `status` when the camera sent an error frame. */
  onError(err: XP2PError, status?: number): void;
}

export interface RequestHandle {
  /** Sends upstream bytes (talkback); false while the channel is not open. */
  sendUpstream(data: Uint8Array): boolean;
  /** Bytes queued to the camera, for pacing upstream data. */
  readonly bufferedAmount: number;
  /** Ends the upstream direction (the camera keeps answering). */
  endUpstream(): void;
  /** Stops the request; no handler is called after this. */
  cancel(): void;
}

/** A fresh request channel (also used to keep a spare one open ahead of time). */
export function createRequestChannel(pc: PeerConnectionLike): DataChannelLike {
  const channel = pc.createDataChannel(REQUEST_CHANNEL_LABEL, { ordered: true });
  channel.binaryType = 'arraybuffer';
  return channel;
}

/**
 * Sends `request` on `channel` (a fresh one, or a spare that is already open, which saves the channel
 * setup on the warm path) and reads the response.
 */
export function openRequest(
  clock: Clock,
  channel: DataChannelLike,
  request: DeviceRequest,
  handlers: RequestHandlers,
  headTimeoutMs: number,
): RequestHandle {
  let state: 'opening' | 'head' | 'body' | 'done' = 'opening';

  const finish = () => {
    state = 'done';
    clock.clearTimeout(headTimer);
    try {
      channel.close();
    } catch {
      /* already closed */
    }
  };
  const fail = (err: XP2PError, status?: number) => {
    if (state === 'done') return;
    finish();
    handlers.onError(err, status);
  };
  const headTimer = clock.setTimeout(
    () => state !== 'body' && fail(new XP2PError(ErrorCode.START_STREAM_FAILED, `no response in ${headTimeoutMs} ms`)),
    headTimeoutMs,
  );

  const sendRequest = () => {
    if (state !== 'opening') return;
    if (!trySend(channel, encodeFrame({ type: 'request', v: 1, path: request.path, query: request.query }))) {
      return fail(new XP2PError(ErrorCode.START_STREAM_FAILED, 'connection to the camera closed'));
    }
    state = 'head';
  };
  if (channel.readyState === 'open') sendRequest();
  else channel.addEventListener('open', sendRequest, { once: true });
  channel.addEventListener('message', (ev) => {
    if (state === 'done') return;
    if (typeof ev.data !== 'string') {
      if (state !== 'body') return fail(new XP2PError(ErrorCode.START_STREAM_FAILED, 'body before response head'));
      handlers.onData(ev.data as ArrayBuffer);
      return;
    }
    const parsed = parseResponseFrame(ev.data);
    if (!parsed.ok) return fail(new XP2PError(ErrorCode.START_STREAM_FAILED, parsed.error));
    const frame = parsed.message;
    if (frame.type === 'head') {
      if (state !== 'head') return fail(new XP2PError(ErrorCode.START_STREAM_FAILED, 'second response head'));
      state = 'body';
      clock.clearTimeout(headTimer);
      handlers.onHead(frame.status, frame.headers);
    } else if (frame.type === 'end') {
      finish();
      handlers.onEnd();
    } else {
      fail(new XP2PError(ErrorCode.START_STREAM_FAILED, frame.message), frame.status);
    }
  });
  channel.addEventListener('close', () =>
    fail(new XP2PError(ErrorCode.START_STREAM_FAILED, 'connection to the camera closed')),
  );

  return {
    sendUpstream(data) {
      if (channel.readyState !== 'open' || state === 'done') return false;
      return trySend(channel, data);
    },
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    endUpstream() {
      if (channel.readyState === 'open' && state !== 'done') trySend(channel, encodeFrame({ type: 'end' }));
    },
    cancel() {
      if (state !== 'done') finish();
    },
  };
}

/**
 * libdatachannel can close a channel on its own thread before the polyfill's readyState says so, and then
 * send throws: that is a closed channel (its close event follows), never an exception for the app.
 */
function trySend(channel: DataChannelLike, data: string | Uint8Array): boolean {
  try {
    if (typeof data === 'string') channel.send(data);
    else channel.send(data as Uint8Array<ArrayBuffer>);
    return true;
  } catch {
    return false;
  }
}
