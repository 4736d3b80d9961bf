import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FLV_TAG_AUDIO,
  isAacSequenceHeader,
  isAvcEndOfSequence,
  isAvcSequenceHeader,
  isScriptTag,
  parseFlv,
  startsGop,
  type FlvTag,
} from '@xp2p/protocol';
import { FlvFileLoopSource } from './flv-file-loop-source.js';
import type { MediaSink } from './media-source.js';

/** The protocol package's 2 s golden fixture (H.264 15 fps, GOP 15 + AAC; see its make-fixtures.sh). */
const twoSecondFixture = fileURLToPath(new URL('../../../protocol/src/flv/fixtures/av.flv', import.meta.url));

/** A sink that records every tag, with a promise for how the source ended. */
function recordingSink(): MediaSink & { tags: FlvTag[]; ended: Promise<Error | undefined> } {
  let resolveEnd!: (e: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((r) => (resolveEnd = r));
  const tags: FlvTag[] = [];
  return { tags, ended, onTag: (t) => tags.push(t), onEnd: (e) => resolveEnd(e) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('FlvFileLoopSource', () => {
  it('loops a 2 s file in real time with continuous timestamps and one set of headers', async () => {
    const source = new FlvFileLoopSource(twoSecondFixture);
    const sink = recordingSink();
    const started = performance.now();
    source.start(sink);
    await sleep(3000);
    await source.stop();
    const elapsed = performance.now() - started;
    const countAfterStop = sink.tags.length;

    const ts = sink.tags.map((t) => t.timestamp);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]!);
    // Paced by the clock: about 3 s of media in 3 s, crossing the loop point (~2.07 s).
    expect(ts.at(-1)!).toBeGreaterThan(2100);
    expect(ts.at(-1)!).toBeLessThanOrEqual(elapsed);
    expect(ts.at(-1)!).toBeGreaterThan(elapsed - 250);

    expect(sink.tags.filter(isScriptTag)).toHaveLength(1);
    expect(sink.tags.filter(isAvcSequenceHeader)).toHaveLength(1);
    expect(sink.tags.filter(isAacSequenceHeader)).toHaveLength(1);
    expect(sink.tags.filter(isAvcEndOfSequence)).toHaveLength(0);
    // The file's audio runs past its video (AAC frames of 1024 samples at 22.05 kHz = 46.4 ms), so
    // the next pass starts one audio frame after the last audio tag. Keyframes: 0, 1000 (GOP 15 at
    // 15 fps), then the loop point.
    const { tags: fileTags } = parseFlv(new Uint8Array(await readFile(twoSecondFixture)));
    const lastAudio = fileTags.filter((t) => t.type === FLV_TAG_AUDIO).at(-1)!.timestamp;
    const keyTimes = sink.tags.filter(startsGop).map((t) => t.timestamp);
    expect(keyTimes.slice(0, 2)).toEqual([0, 1000]);
    const loopAt = keyTimes[2]!;
    expect([lastAudio + 46, lastAudio + 47]).toContain(loopAt);
    // Second pass: every tag is the first pass's tag shifted by exactly loopAt.
    const firstPass = sink.tags.filter((t) => !isScriptTag(t) && !isAvcSequenceHeader(t) && !isAacSequenceHeader(t));
    const secondStart = firstPass.findIndex((t) => t.timestamp >= loopAt && startsGop(t));
    firstPass.slice(secondStart).forEach((t, i) => {
      expect(t.timestamp).toBe(firstPass[i]!.timestamp + loopAt);
      expect(t.data).toBe(firstPass[i]!.data);
    });

    await sleep(300);
    expect(sink.tags.length).toBe(countAfterStop); // stop() cleared every timer
  });

  it('without loop, plays once and ends', async () => {
    const source = new FlvFileLoopSource(twoSecondFixture, { loop: false });
    const sink = recordingSink();
    const started = performance.now();
    source.start(sink);
    expect(await sink.ended).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThan(1900);
    expect(sink.tags.filter(startsGop)).toHaveLength(2);
  });

  it('reports unreadable and non-FLV files through onEnd', async () => {
    const missing = recordingSink();
    new FlvFileLoopSource('/nonexistent/x.flv').start(missing);
    expect((await missing.ended)?.message).toMatch(/cannot read \/nonexistent\/x\.flv/);

    const dir = await mkdtemp(join(tmpdir(), 'xp2p-loop-'));
    try {
      const file = join(dir, 'not.flv');
      await writeFile(file, 'hello world, not a video');
      const garbage = recordingSink();
      new FlvFileLoopSource(file).start(garbage);
      expect((await garbage.ended)?.message).toMatch(/bad signature/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
