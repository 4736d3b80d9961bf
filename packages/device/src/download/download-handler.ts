/**
 * `ipc.flv?action=download&file_name=NAME&offset=N`: a file from the store directory, resumable.
 *
 * Head 200 with content-length (bytes that follow), x-file-size (whole file), x-file-sha256 (whole file,
 * so a resumed download can still be verified end to end) and x-offset; then the bytes from the offset;
 * then end. 400 bad parameters, 403 a name outside the store, 404 no such file, 416 offset past the end.
 * Large reads keep the disk and the channel busy; the writer cuts them into 64 KiB frames.
 */
import { open } from 'node:fs/promises';
import { DEVICE_DEFAULTS } from '../defaults.js';
import { intParam } from '../http-like.js';
import type { ResponseWriter } from '../response-writer.js';
import { FileHashCache } from './file-hash-cache.js';
import { resolveStoreFile } from './store-file.js';

export interface DownloadHandlerOptions {
  readBytes?: number;
  highWaterBytes?: number;
  log?: (line: string) => void;
}

export class DownloadHandler {
  private readonly hashes = new FileHashCache();
  private readonly readBytes: number;
  private readonly highWaterBytes: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly dir: string,
    options: DownloadHandlerOptions = {},
  ) {
    this.readBytes = options.readBytes ?? DEVICE_DEFAULTS.downloadReadBytes;
    this.highWaterBytes = options.highWaterBytes ?? DEVICE_DEFAULTS.downloadHighWaterBytes;
    this.log = options.log ?? (() => {});
  }

  async serve(params: URLSearchParams, res: ResponseWriter): Promise<void> {
    const offset = intParam(params, 'offset', 0);
    if (offset < 0) return res.fail(400, 'offset must be >= 0');
    const file = await resolveStoreFile(this.dir, params.get('file_name'));
    if (!file.ok) return res.fail(file.status, file.reason);
    if (offset > file.size) return res.fail(416, `offset ${offset} is past the end (${file.size} bytes)`);
    const sha256 = await this.hashes.sha256(file.path, file.size, file.mtimeMs);
    if (res.closed) return;

    const handle = await open(file.path, 'r');
    try {
      res.head(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(file.size - offset),
        'x-file-size': String(file.size),
        'x-file-sha256': sha256,
        'x-offset': String(offset),
      });
      let position = offset;
      while (position < file.size && !res.closed) {
        // A fresh buffer each time: the writer may still hold the last one until its next flush.
        const buf = new Uint8Array(Math.min(this.readBytes, file.size - position));
        const { bytesRead } = await handle.read(buf, 0, buf.byteLength, position);
        if (bytesRead === 0) break;
        res.write(buf.subarray(0, bytesRead));
        position += bytesRead;
        if (res.bufferedAmount > this.highWaterBytes) await res.drained(this.highWaterBytes / 4);
      }
      if (res.closed) return; // the viewer cancelled: stop reading, the file closes below
      if (position < file.size) {
        this.log(`download: ${file.path} shrank while being sent`);
        return res.fail(500, 'the file changed while it was being sent');
      }
      res.end();
    } finally {
      await handle.close();
    }
  }
}
