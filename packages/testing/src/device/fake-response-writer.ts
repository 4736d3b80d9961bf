/**
 * A ResponseWriter that keeps what a handler sends, for the camera's request handler tests.
 * `buffered` lets a test simulate a slow viewer; `closeByViewer()` a viewer that cancels; `sendUp` and
 * `endUp` the viewer's talkback bytes.
 */
import { concatBytes, utf8Decode } from '@xp2p/protocol';
import type { ResponseWriter } from '@xp2p/device';

export interface FakeResponse extends ResponseWriter {
  status: number | undefined;
  headers: Record<string, string>;
  chunks: Uint8Array[];
  ended: boolean;
  error: { status: number; message: string } | undefined;
  body(): Uint8Array;
  text(): string;
  json(): unknown;
  /** Resolves when the handler ended or failed the response. */
  finished: Promise<void>;
  closeByViewer(): void;
  sendUp(bytes: Uint8Array): void;
  endUp(): void;
  /** Bytes "in flight"; drained() resolves once a test lowers it (or at once if it is low). */
  buffered: number;
  drainCalls: number;
}

export function fakeResponse(): FakeResponse {
  let done = false;
  let closed = false;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((r) => (resolveFinished = r));
  const closeListeners: (() => void)[] = [];
  let upstream: { onData: (d: ArrayBuffer) => void; onEnd: () => void } | undefined;
  const finish = () => {
    done = true;
    resolveFinished();
  };
  const res: FakeResponse = {
    status: undefined,
    headers: {},
    chunks: [],
    ended: false,
    error: undefined,
    buffered: 0,
    drainCalls: 0,
    finished,
    head(status, headers = {}) {
      if (res.status !== undefined || done) return;
      res.status = status;
      res.headers = headers;
    },
    write(bytes) {
      if (res.status === undefined) res.head(200);
      if (done || closed) return false;
      res.chunks.push(bytes.slice()); // the handler may reuse its buffer
      return true;
    },
    end() {
      if (done) return;
      if (res.status === undefined) res.head(200);
      res.ended = true;
      finish();
    },
    fail(status, message) {
      if (done) return;
      if (res.status === undefined) res.head(status, { 'x-reason': message });
      else res.error = { status, message };
      finish();
    },
    get bufferedAmount() {
      return res.buffered;
    },
    get closed() {
      return done || closed;
    },
    drained() {
      res.drainCalls++;
      res.buffered = 0; // the fake network drains at once
      return Promise.resolve();
    },
    onClose(cb) {
      closeListeners.push(cb);
    },
    onUpstream(onData, onEnd) {
      upstream = { onData, onEnd };
    },
    body: () => concatBytes(res.chunks),
    text: () => utf8Decode(concatBytes(res.chunks)),
    json: () => JSON.parse(utf8Decode(concatBytes(res.chunks))) as unknown,
    closeByViewer() {
      closed = true;
      for (const cb of closeListeners.splice(0)) cb();
      resolveFinished();
    },
    sendUp(bytes) {
      const copy = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(copy).set(bytes);
      upstream?.onData(copy);
    },
    endUp() {
      upstream?.onEnd();
    },
  };
  return res;
}
