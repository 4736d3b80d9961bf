/**
 * 1vN test helpers (not part of the build): the FLV fixture as tags (looped for longer streams), ffprobe on
 * bytes, an NDJSON reader, ffmpeg publishing, and signed tracker sockets.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isScriptTag, isSequenceHeader, parseFlv, signAppRequest, withTimestamp, type FlvTag } from '@xp2p/protocol';
import type { AppConfig } from '../config/schema.js';
import { TestClient, type ClientPool, type TestServer } from './harness.js';

// Decode every frame, keeping the stream's own millisecond timestamps: with the default 1/fps encoder
// time base, ffmpeg rounds 33/34 ms frame steps into false "non monotonically increasing dts" errors.
const DECODE_CHECK_ARGS = ['-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'];

const run = promisify(execFile);

/** The protocol package's golden fixture: 2 s of 160x120 H.264 (keyframe each second) + AAC. */
export const fixtureBytes = new Uint8Array(
  readFileSync(new URL('../../../protocol/src/flv/fixtures/av.flv', import.meta.url)),
);
export const fixture = parseFlv(fixtureBytes);
export const FIXTURE_MS = 2_000;

/** The fixture played `loops` times back to back, timestamps continuing (headers only once). */
export function loopedFixtureTags(loops: number): FlvTag[] {
  const out: FlvTag[] = [];
  for (let k = 0; k < loops; k++) {
    for (const tag of fixture.tags) {
      if (k > 0 && (isScriptTag(tag) || isSequenceHeader(tag))) continue;
      out.push(k === 0 ? tag : withTimestamp(tag, tag.timestamp + k * FIXTURE_MS));
    }
  }
  return out;
}

export interface ProbeResult {
  packets: { codec_type: string; flags: string }[];
  /** what ffmpeg printed while decoding every frame (empty = clean) */
  decodeErrors: string;
}

/** Decodes FLV bytes with ffmpeg and lists their packets with ffprobe. */
export async function probeFlv(bytes: Uint8Array): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'origin-probe-'));
  try {
    const file = join(dir, 'in.flv');
    writeFileSync(file, bytes);
    const decode = await run('ffmpeg', ['-v', 'error', '-i', file, ...DECODE_CHECK_ARGS]);
    const probe = await run('ffprobe', [
      '-v',
      'error',
      '-show_packets',
      '-show_entries',
      'packet=codec_type,flags',
      '-of',
      'json',
      file,
    ]);
    return { packets: (JSON.parse(probe.stdout) as ProbeResult).packets, decodeErrors: decode.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a whole response body (e.g. an HTTP-FLV stream that ends with the publish). */
export async function readAll(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Reads NDJSON lines until the body ends, or until `until` returns true for a line. */
export async function readNdjson(res: Response, until?: (line: unknown) => boolean): Promise<unknown[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const lines: unknown[] = [];
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return lines;
    buffered += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as unknown;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      if (until?.(line)) {
        await reader.cancel();
        return lines;
      }
    }
  }
}

/** `ffmpeg -re` publishing a test pattern + tone to `url` for `seconds`. */
export function ffmpegPublish(url: string, seconds: number): { process: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=160x120:rate=15:duration=${seconds}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=22050:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '15',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '32k',
      '-ac',
      '1',
      '-f',
      'flv',
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && stderr) console.error(`ffmpeg: ${stderr}`);
      resolve(code);
    }),
  );
  return { process: child, exited };
}

export async function peerUrl(t: TestServer, app: AppConfig = t.app): Promise<string> {
  const sig = await signAppRequest(app, 'GET', '/signal/peer', '');
  const query = new URLSearchParams({
    appKey: sig.appKey,
    timestamp: String(sig.timestamp),
    nonce: sig.nonce,
    signature: sig.signature,
  });
  return t.wsUrl(`/signal/peer?${query}`);
}

/** A signed tracker socket, open. */
export async function connectPeer(t: TestServer, pool: ClientPool): Promise<TestClient> {
  const client = pool.add(new TestClient(await peerUrl(t)));
  await client.opened;
  return client;
}
