/**
 * The soak's integrity checks: recordings downloaded over P2P (while parts are being killed and at the
 * end) must hash the same as the camera's file on disk, and every finished recording must decode.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../scale/cluster-bench.js';

export interface DownloadCheck {
  file: string;
  bytes: number;
  /** identical: the downloaded bytes hash like the camera's file; failed: the download itself failed */
  outcome: 'identical' | 'corrupt' | 'failed';
  detail: string;
}

export interface RecordingInfo {
  file_name: string;
  file_size: number;
  end_time: number;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The camera's recordings as `xp2p records --json` lists them through `via`. */
export async function listRecordings(via: string, dataDir: string): Promise<RecordingInfo[]> {
  const { code, out } = await runCli(['records', 'demo/cam1', '--json', '--server', via, '--data', dataDir], 60_000);
  if (code !== 0) throw new Error(`xp2p records exited ${code}: ${out.slice(-300)}`);
  const start = out.indexOf('[');
  return start < 0 ? [] : (JSON.parse(out.slice(start, out.lastIndexOf(']') + 1)) as RecordingInfo[]);
}

/** Every file under dir (recursively). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Downloads one recording through `via` (the CLI resumes across interruptions) and compares it with the disk. */
export async function checkDownload(
  rec: RecordingInfo,
  via: string,
  dataDir: string,
  recordingsDir: string,
  out: string,
): Promise<DownloadCheck> {
  rmSync(out, { force: true });
  const args = ['download', 'demo/cam1', rec.file_name, '-o', out, '--server', via, '--data', dataDir];
  const { code, out: printed } = await runCli(args, 180_000);
  const original = filesUnder(recordingsDir).find((p) => p.endsWith(rec.file_name.split('/').pop()!));
  if (code !== 0 || !existsSync(out)) {
    return { file: rec.file_name, bytes: 0, outcome: 'failed', detail: printed.trim().split('\n').slice(-1)[0] ?? '' };
  }
  if (!original) return { file: rec.file_name, bytes: 0, outcome: 'failed', detail: 'not found on the camera disk' };
  const [got, want] = await Promise.all([sha256File(out), sha256File(original)]);
  const bytes = statSync(out).size;
  rmSync(out, { force: true });
  return {
    file: rec.file_name,
    bytes,
    outcome: got === want ? 'identical' : 'corrupt',
    detail: got === want ? `sha256 ${got.slice(0, 16)}…` : `sha256 ${got} ≠ disk ${want}`,
  };
}

/** ffmpeg's error output when decoding the whole file ('' = decodes cleanly). */
export function decodeErrors(path: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-f', 'null', '-'], (err, _out, stderr) =>
      resolve(err && !stderr ? String(err.message) : stderr.trim()),
    );
  });
}
