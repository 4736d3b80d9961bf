/**
 * `xp2p download <productId>/<deviceName> <file_name> [-o OUT]`: fetches a file from the camera's
 * storage; resumes when OUT already holds a part, and checks the whole file against the camera's SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_DEFAULTS, commonOptions, UsageError } from '../args.js';
import { connectToCamera, type CameraConnection } from '../camera-connection.js';
import { progressBar } from '../progress.js';

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

type Outcome = { ok: true; fileHash?: string } | { ok: false; why: string; resumable: boolean };

export async function downloadCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...commonOptions, output: { type: 'string', short: 'o' } },
  });
  const fileName = positionals[1];
  if (!fileName) throw new UsageError('give the file_name to download (see `xp2p records`)');
  const out = values.output ?? basename(fileName);
  const camera = await connectToCamera(values, positionals[0]);
  const tty = process.stderr.isTTY;
  try {
    let outcome: Outcome;
    for (let attempt = 0; ; attempt++) {
      const offset = existsSync(out) ? statSync(out).size : 0;
      if (offset > 0) console.log(`resuming ${out} at ${offset} bytes`);
      outcome = await fetchFrom(camera, fileName, out, offset);
      if (tty) process.stderr.write('\n');
      if (outcome.ok || !outcome.resumable || attempt >= CLI_DEFAULTS.downloadResumeAttempts) break;
      // The sdk resumes across a path reconnect by itself; this is for a session that ended for good (the
      // camera restarted, no path came back in time): connect again and pick up where the file stopped.
      console.error(
        `download interrupted (${outcome.why}); resuming in ${CLI_DEFAULTS.downloadResumeDelayMs / 1000} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, CLI_DEFAULTS.downloadResumeDelayMs));
      await camera.reconnect().catch((err: Error) => console.error(`reconnect failed: ${err.message}`));
    }
    if (!outcome.ok) {
      console.error(`download failed: ${outcome.why}${outcome.resumable ? '; run again to resume' : ''}`);
      process.exitCode = 1;
      return;
    }
    const actual = await sha256File(out);
    if (outcome.fileHash && actual !== outcome.fileHash) {
      console.error(`download corrupt: sha256 ${actual} but the camera says ${outcome.fileHash}`);
      process.exitCode = 1;
      return;
    }
    console.log(`saved ${out} (${statSync(out).size} bytes, sha256 ${actual})`);
  } finally {
    camera.close();
  }
}

/** One download request from `offset`, appended to `out`; what the camera's answer or the transport said. */
async function fetchFrom(camera: CameraConnection, fileName: string, out: string, offset: number): Promise<Outcome> {
  const fd = openSync(out, offset > 0 ? 'a' : 'w');
  let received = 0;
  let total = 0;
  const bar = progressBar((done, size) => `${(done / 1e6).toFixed(1)}/${(size / 1e6).toFixed(1)} MB`);
  const draw = () => bar.update(offset + received, total);
  try {
    return await new Promise<Outcome>((resolve) => {
      let fileHash: string | undefined;
      void camera.p2p
        .startLocalDownload(
          camera.id,
          { urlParams: `channel=0&file_name=${encodeURIComponent(fileName)}&offset=${offset}` },
          {
            onHeadersReceived: (res) => {
              total = Number(res?.headers['x-file-size'] ?? 0);
              fileHash = res?.headers['x-file-sha256'];
            },
            onReceiveChunk: (data) => {
              writeSync(fd, new Uint8Array(data));
              received += data.byteLength;
              draw();
            },
            onSuccess: () => resolve({ ok: true, fileHash }),
            // the camera answered (404, 403, ...): asking again gets the same answer
            onFailure: (res) => resolve({ ok: false, why: `${res?.status}: ${res?.errmsg}`, resumable: false }),
            onError: (res) =>
              resolve({
                ok: false,
                why: `interrupted after ${offset + received} bytes (${res?.errmsg})`,
                resumable: true,
              }),
            onComplete: () => bar.finish(),
          },
        )
        .then(
          (code) =>
            code !== 0 &&
            resolve({ ok: false, why: `${code}: ${camera.p2p.lastError(camera.id) ?? ''}`, resumable: true }),
        );
    });
  } finally {
    closeSync(fd);
  }
}
