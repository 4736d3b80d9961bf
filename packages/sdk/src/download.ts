/**
 * startLocalDownload: a file from the camera's storage over the P2P link, with the guide's callbacks.
 * Order: onPased/onHeadersReceived → onReceiveChunk* → (onSuccess | onFailure | onError) → onComplete,
 * and onComplete always comes last, whatever happened. A download cut half-way resumes by asking again
 * with `offset=<bytes already held>`; the camera sends the whole file's SHA-256 (x-file-sha256) so the
 * result can be checked; when the download starts at offset 0 the sdk checks it itself.
 */
import { ErrorCode, Sha256Stream, type IncrementalHash } from '@xp2p/protocol';
import { safeCall } from './events.js';
import type { IpcSession } from './ipc-session.js';
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

export function startDownload(
  session: IpcSession,
  urlParams: string,
  callbacks: DownloadCallbacks,
  createHash: () => IncrementalHash,
  onFinished: () => void,
): Promise<{ code: number; download?: RunningDownload; why?: string }> {
  return new Promise((resolve) => {
    let status = 0;
    let headers: Record<string, string> = {};
    let received = 0;
    let finished = false;
    const hash = createHash();
    const finish = (outcome: 'success' | 'failure' | 'error' | 'stopped', errmsg = '') => {
      if (finished) return;
      finished = true;
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
    let handle: RequestHandle | undefined;
    try {
      handle = session.request(
        { path: 'ipc.flv', query: downloadQuery(urlParams) },
        {
          onHead(s, h) {
            status = s;
            headers = h;
            safeCall(callbacks.onPased, { status, headers });
            safeCall(callbacks.onHeadersReceived, { status, headers });
            if (s < 200 || s >= 300) {
              finish('failure', `camera answered ${s}: ${h['x-reason'] ?? ''}`);
              resolve({ code: ErrorCode.DOWNLOAD_FAILED, why: `camera answered ${s}: ${h['x-reason'] ?? ''}` });
              return;
            }
            resolve({ code: ErrorCode.OK, download: { cancel } });
          },
          onData(data) {
            received += data.byteLength;
            hash.update(new Uint8Array(data));
            safeCall(callbacks.onReceiveChunk, data);
          },
          onEnd() {
            if (status < 200 || status >= 300) return;
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
          onError(err) {
            if (status === 0) resolve({ code: ErrorCode.DOWNLOAD_FAILED, why: err.message });
            finish('error', err.message);
          },
        },
      );
    } catch (err) {
      resolve({ code: ErrorCode.DOWNLOAD_FAILED, why: String(err) });
      finish('error', String(err));
    }
    function cancel() {
      handle?.cancel();
      finish('stopped', 'stopped by stopLocalDownload');
    }
  });
}

export const pureSha256 = (): IncrementalHash => new Sha256Stream();
