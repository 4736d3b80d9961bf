/**
 * 1vN test helpers: the FLV fixture as tags (looped for longer streams), an NDJSON reader, ffmpeg
 * publishing, and signed tracker sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isScriptTag, isSequenceHeader, parseFlv, withTimestamp, type FlvTag } from '@xp2p/protocol';
import type { AppConfig } from '@xp2p/server';
import { AV_FLV_FIXTURE } from '../paths.js';
import { signedWsUrl, TestClient, type ClientPool, type TestServer } from './harness.js';

/** The protocol package's golden fixture: 2 s of 160x120 H.264 (keyframe each second) + AAC. */
export const fixtureBytes = new Uint8Array(readFileSync(AV_FLV_FIXTURE));
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

export const peerUrl = (t: TestServer, app: AppConfig = t.app): Promise<string> => signedWsUrl(t, '/signal/peer', app);

/** A signed tracker socket, open. */
export async function connectPeer(t: TestServer, pool: ClientPool): Promise<TestClient> {
  const client = pool.add(new TestClient(await peerUrl(t)));
  await client.opened;
  return client;
}
