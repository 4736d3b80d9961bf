// Test-only helpers shared by the media tests (not exported from the package).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlvTag } from '@xp2p/protocol';
import type { MediaSink } from './media-source.js';

/** The protocol package's 2 s golden fixture (H.264 15 fps, GOP 15 + AAC). */
export const twoSecondFixture = fileURLToPath(
  new URL('../../../protocol/src/flv/fixtures/av.flv', import.meta.url),
);

/** A sink that records everything, with a promise for the end. */
export function recordingSink(): MediaSink & { tags: FlvTag[]; ended: Promise<Error | undefined> } {
  let resolveEnd!: (e: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((r) => (resolveEnd = r));
  const tags: FlvTag[] = [];
  return { tags, ended, onTag: (t) => tags.push(t), onEnd: (e) => resolveEnd(e) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs ffprobe on the bytes; returns exit code and the packets it reports. */
export async function probe(
  bytes: Uint8Array,
): Promise<{ code: number; stderr: string; packets: { codec_type: string; flags: string }[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'xp2p-media-'));
  try {
    const file = join(dir, 'stream.flv');
    await writeFile(file, bytes);
    return await new Promise((resolve) => {
      execFile(
        'ffprobe',
        ['-v', 'error', '-show_packets', '-show_entries', 'packet=codec_type,flags', '-of', 'json', file],
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          const packets = code === 0 ? (JSON.parse(stdout) as { packets: [] }).packets : [];
          resolve({ code, stderr, packets });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
