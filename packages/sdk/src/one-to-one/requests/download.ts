/**
 * startLocalDownload: a file from the camera's storage over the P2P link, with the guide's callbacks.
 * Order: onPased/onHeadersReceived → onReceiveChunk* → (onSuccess | onFailure | onError) → onComplete,
 * and onComplete always comes last, whatever happened. A download cut by a path reconnect resumes by
 * itself: once the session is back, the sdk asks again with `offset=<bytes already received>` and the app
 * sees one download. An app can resume one that ended (onError) the same way, with `offset=` in urlParams.
 * The camera sends the whole file's SHA-256 (x-file-sha256); when the download starts at offset 0 the sdk
 * checks it itself.
 */
import { ErrorCode, Sha256Stream, type IncrementalHash } from '@xp2p/protocol';
import { safeCall } from '../../safe-call.js';
import type { IpcSession } from '../session/ipc-session.js';
import type { RequestHandle } from './request.js';

export interface DownloadResponse {
  status: number;
  headers: Record<string, string>;
  /** bytes received in this transfer */
  data?: number;
  errcode?: number;
  errmsg?: string;
}

export interface DownloadCallbacks {
  onReceiveChunk: (data: ArrayBuffer) => void;
  onComplete: (res?: DownloadResponse) => void;
  /** the guide's spelling */
  onPased?: (res?: DownloadResponse) => void;
  onHeadersReceived?: (res?: DownloadResponse) => void;
  onSuccess?: (res?: DownloadResponse) => void;
  onFailure?: (res?: DownloadResponse) => void;
  onError?: (res?: DownloadResponse) => void;
}

export interface RunningDownload {
  cancel(): void;
}

export function downloadQuery(urlParams: string): string {
  return /(^|&)action=/.test(urlParams) ? urlParams : `action=download&${urlParams}`;
}

/** `urlParams` with `offset=` set to `offset` (a resumed request). */
export function withOffset(urlParams: string, offset: number): string {
  const q = new URLSearchParams(downloadQuery(urlParams));
  q.set('offset', String(offset));
  return q.toString();
}

export interface DownloadOptions {
  urlParams: string;
  callbacks: DownloadCallbacks;
  createHash: () => IncrementalHash;
  /** called once, after onComplete */
  onFinished: () => void;
  log: (line: string) => void;
  /** a resumed request reached the camera: the download goes on from `offset` */
  onResumed?: (offset: number) => void;
  /** a download cut by reconnects gives up after this long, or this many resumes, without a byte */
  resumeGiveUpMs: number;
  resumesWithoutProgress: number;
}

export interface DownloadStart {
  /** the download, from the moment it is asked for: cancel() ends it (onComplete last) whatever its state */
  download: RunningDownload;
  /** settles once the camera answered the first request, or the download ended before */
  started: Promise<{ code: number; why?: string }>;
}

export function startDownload(session: IpcSession, o: DownloadOptions): DownloadStart {
  const { urlParams, callbacks, onFinished, log } = o;
  const { clock } = session;
  let download!: RunningDownload;
  const started = new Promise<{ code: number; why?: string }>((resolve) => {
    let status = 0;
    let headers: Record<string, string> = {};
    let received = 0;
    let finished = false;
    let resumesWithoutProgress = 0;
    let lastProgressAt = clock.now();
    const firstOffset = Number(new URLSearchParams(urlParams).get('offset') ?? 0) || 0;
    const hash = o.createHash();
    const finish = (outcome: 'success' | 'failure' | 'error' | 'stopped', errmsg = '') => {
      if (finished) return;
      finished = true;
      handle?.cancel();
      // ended before the camera's first answer (stopped, or the request could not be made)
      if (status === 0) resolve({ code: ErrorCode.DOWNLOAD_FAILED, why: errmsg });
      const res: DownloadResponse = {
        status,
        headers,
        data: received,
        errcode: outcome === 'success' ? ErrorCode.OK : ErrorCode.DOWNLOAD_FAILED,
        errmsg,
      };
      if (outcome === 'success') safeCall(callbacks.onSuccess, res);
      else if (outcome === 'failure') safeCall(callbacks.onFailure, res);
      else if (outcome === 'error') safeCall(callbacks.onError, res);
      safeCall(callbacks.onComplete, res);
      onFinished();
    };
    /** The first answer goes to the app; a resumed one must continue the same file where it stopped. */
    const onResumedHead = (s: number, h: Record<string, string>) => {
      if (s < 200 || s >= 300)
        return finish('failure', `camera refused the resumed download (${s}: ${h['x-reason'] ?? ''})`);
      if (h['x-file-sha256'] !== headers['x-file-sha256'] || h['x-file-size'] !== headers['x-file-size']) {
        return finish('failure', 'the file changed on the camera while it was downloading');
      }
      log(`download resumed at ${firstOffset + received} bytes`);
      o.onResumed?.(firstOffset + received);
    };
    let handle: RequestHandle | undefined;
    const issue = (query: string, resumed: boolean) => {
      handle = session.request(
        { path: 'ipc.flv', query },
        {
          onHead(s, h) {
            if (resumed) return onResumedHead(s, h);
            status = s;
            headers = h;
            safeCall(callbacks.onPased, { status, headers });
            safeCall(callbacks.onHeadersReceived, { status, headers });
            if (s < 200 || s >= 300) {
              finish('failure', `camera answered ${s}: ${h['x-reason'] ?? ''}`);
              resolve({ code: ErrorCode.DOWNLOAD_FAILED, why: `camera answered ${s}: ${h['x-reason'] ?? ''}` });
              return;
            }
            resolve({ code: ErrorCode.OK });
          },
          onData(data) {
            if (finished) return;
            resumesWithoutProgress = 0;
            lastProgressAt = clock.now();
            received += data.byteLength;
            hash.update(new Uint8Array(data));
            safeCall(callbacks.onReceiveChunk, data);
          },
          onEnd() {
            if (finished || status < 200 || status >= 300) return;
            const expected = Number(headers['content-length'] ?? Number.NaN);
            if (Number.isFinite(expected) && expected !== received) {
              return finish('failure', `received ${received} of ${expected} bytes`);
            }
            const wholeFile = (headers['x-offset'] ?? '0') === '0';
            const fileHash = headers['x-file-sha256'];
            if (wholeFile && fileHash && hash.digestHex() !== fileHash) {
              return finish('failure', 'the received bytes do not match the camera file (sha256)');
            }
            finish('success');
          },
          onError(err, errStatus) {
            if (finished) return;
            const fail = () => {
              if (status === 0) resolve({ code: ErrorCode.DOWNLOAD_FAILED, why: err.message });
              finish('error', err.message);
            };
            // The camera's own error frame, or asking again keeps failing: the download ends here.
            const stuck =
              ++resumesWithoutProgress > o.resumesWithoutProgress || clock.now() - lastProgressAt > o.resumeGiveUpMs;
            if (errStatus !== undefined || stuck) return fail();
            // The path broke (network change, heavy loss), before the answer or during the transfer: once the
            // session has reconnected, ask again — for the rest of the file once bytes came, as live view does.
            // The app sees one download; the hash runs on.
            void session.recover(err.message).then((ok) => {
              if (finished) return;
              if (!ok) return fail();
              try {
                if (status === 0) issue(downloadQuery(urlParams), false);
                else issue(withOffset(urlParams, firstOffset + received), true);
              } catch (e) {
                finish('error', String(e));
              }
            });
          },
        },
      );
    };
    download = { cancel: () => finish('stopped', 'stopped by stopLocalDownload') };
    try {
      issue(downloadQuery(urlParams), false);
    } catch (err) {
      finish('error', String(err));
    }
  });
  return { download, started };
}

export const pureSha256 = (): IncrementalHash => new Sha256Stream();
