/**
 * A live request (`ipc.flv?action=live`) that survives a reconnect of its session: when its channel dies
 * with the path, it waits for the session to reconnect (ipc-session.ts), asks the camera again, and splices
 * the new response into the same FLV byte stream (live-splice.ts). The app's dataCallback sees one valid
 * FLV throughout; only a session that is gone for good ends the stream.
 */
import { ErrorCode, FlvFormatError, XP2PError, type DeviceRequest } from '@xp2p/protocol';
import type { IpcSession } from '../session/ipc-session.js';
import { LiveFlvSplicer } from './live-splice.js';
import type { RequestHandle, RequestHandlers } from './request.js';

export const isLiveRequest = (req: DeviceRequest): boolean =>
  /(^|\/)ipc\.flv$/.test(req.path) && new URLSearchParams(req.query).get('action') === 'live';

export function openLiveStream(
  session: IpcSession,
  request: DeviceRequest,
  handlers: RequestHandlers,
  log: (line: string) => void,
  /** the stream goes on after a reconnect (`resumes`: how many times so far) */
  onResumed: (resumes: number) => void = () => {},
): RequestHandle {
  const splicer = new LiveFlvSplicer();
  let current: RequestHandle | undefined;
  let cancelled = false;
  let answered = false;

  const fail = (err: XP2PError, status?: number) => {
    if (cancelled) return;
    cancelled = true;
    current?.cancel();
    handlers.onError(err, status);
  };

  const issue = () => {
    const resumed = answered;
    current = session.request(request, {
      onHead(status, headers) {
        if (!answered) {
          answered = true;
          return handlers.onHead(status, headers);
        }
        if (status < 200 || status >= 300) {
          fail(
            new XP2PError(ErrorCode.START_STREAM_FAILED, `camera refused the resumed live stream (${status})`),
            status,
          );
        } else if (resumed) {
          log(`live stream resumed (${splicer.resumes})`);
          onResumed(splicer.resumes);
        }
      },
      onData(data) {
        let out: Uint8Array;
        try {
          out = splicer.push(new Uint8Array(data));
        } catch (err) {
          if (!(err instanceof FlvFormatError)) throw err;
          return fail(new XP2PError(ErrorCode.START_STREAM_FAILED, `live stream is not valid FLV: ${err.message}`));
        }
        if (out.byteLength === 0) return;
        // hand the app a buffer of its own (out may view a larger one)
        const copy = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
        handlers.onData(copy.buffer as ArrayBuffer);
      },
      onEnd() {
        if (!cancelled) handlers.onEnd();
      },
      onError(err, status) {
        if (cancelled) return;
        // the camera's own answer (an error frame) or no answer at all to the first request: not a path problem
        if (status !== undefined || !answered) return fail(err, status);
        void session.recover(err.message).then((ok) => {
          if (cancelled) return;
          if (!ok) return fail(err);
          splicer.resume();
          try {
            issue();
          } catch (e) {
            fail(e instanceof XP2PError ? e : new XP2PError(ErrorCode.START_STREAM_FAILED, String(e)));
          }
        });
      },
    });
  };
  issue();

  return {
    sendUpstream: () => false,
    get bufferedAmount() {
      return 0;
    },
    endUpstream() {},
    cancel() {
      cancelled = true;
      current?.cancel();
    },
  };
}
