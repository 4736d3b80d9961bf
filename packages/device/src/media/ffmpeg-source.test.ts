import { describe, expect, it } from 'vitest';
import { isAacSequenceHeader, isAvcSequenceHeader, startsGop, type FlvTag } from '@xp2p/protocol';
import { waitUntil } from '@xp2p/testing';
import { ffmpegArgs } from './ffmpeg-args.js';
import { FfmpegSource } from './ffmpeg-source.js';
import { bundledSamplePath } from './sample.js';
import type { MediaSink } from './media-source.js';

/** A sink that records every tag, with a promise for how the source ended. */
function recordingSink(): MediaSink & { tags: FlvTag[]; ended: Promise<Error | undefined> } {
  let resolveEnd!: (e: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((r) => (resolveEnd = r));
  const tags: FlvTag[] = [];
  return { tags, ended, onTag: (t) => tags.push(t), onEnd: (e) => resolveEnd(e) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const hasStart = (t: FlvTag[]): boolean =>
  t.some(isAvcSequenceHeader) && t.some(isAacSequenceHeader) && t.some(startsGop);

describe('ffmpegArgs', () => {
  it('generates the test pattern with the requested encoder settings', () => {
    const args = ffmpegArgs('testsrc').join(' ');
    expect(args).toContain('-re -f lavfi -i testsrc=size=640x360:rate=30');
    expect(args).toContain('-f lavfi -i sine=frequency=440:sample_rate=44100');
    expect(args).toContain('-c:v libx264 -preset veryfast -tune zerolatency -g 30 -pix_fmt yuv420p');
    expect(args).toContain('-c:a aac');
    expect(args.endsWith('-f flv pipe:1')).toBe(true);
  });

  it('paces files with -re, not network streams; copies unless asked to encode', () => {
    expect(ffmpegArgs('/tmp/a.mp4')).toContain('-re');
    expect(ffmpegArgs('/tmp/a.mp4').join(' ')).toContain('-c copy');
    expect(ffmpegArgs('rtsp://cam/1')).not.toContain('-re');
    expect(ffmpegArgs('rtsp://cam/1', { encode: true, extraArgs: ['-b:v', '1M'] }).join(' ')).toContain(
      '-c:v libx264 -preset veryfast -tune zerolatency -g 30 -pix_fmt yuv420p -c:a aac -ar 44100 -b:v 1M',
    );
  });
});

describe('FfmpegSource', () => {
  it("'testsrc' produces AVC and AAC sequence headers and a keyframe within ~2 s; stop() ends it", async () => {
    const source = new FfmpegSource('testsrc');
    const sink = recordingSink();
    source.start(sink);
    await waitUntil(() => hasStart(sink.tags), { timeoutMs: 10_000 });
    await sleep(2000);
    await source.stop();
    expect(sink.tags.some(isAvcSequenceHeader)).toBe(true);
    expect(sink.tags.some(isAacSequenceHeader)).toBe(true);
    const keyframes = sink.tags.filter(startsGop);
    expect(keyframes.length).toBeGreaterThanOrEqual(1);
    // -re paces output in real time: roughly 2 s of 30 fps, not a burst of the whole pattern.
    const lastTs = sink.tags.at(-1)!.timestamp;
    expect(lastTs).toBeGreaterThan(1000);
    expect(lastTs).toBeLessThan(6000);
    const count = sink.tags.length;
    await sleep(300);
    expect(sink.tags.length).toBe(count); // nothing after stop()
  });

  it('copies the bundled H.264/AAC sample without re-encoding', async () => {
    const source = new FfmpegSource(bundledSamplePath(), { encode: false });
    const sink = recordingSink();
    source.start(sink);
    await waitUntil(() => hasStart(sink.tags), { timeoutMs: 10_000 });
    await source.stop();
    expect(hasStart(sink.tags)).toBe(true);
  });

  it('a missing ffmpeg binary ends with a clear error instead of crashing', async () => {
    const source = new FfmpegSource('testsrc', { ffmpegPath: '/nonexistent' });
    const sink = recordingSink();
    source.start(sink);
    const error = await sink.ended;
    expect(error?.message).toBe('ffmpeg not found at "/nonexistent" (install ffmpeg or set ffmpegPath)');
    await source.stop(); // must resolve even though nothing ever ran
    expect(sink.tags).toEqual([]);
  });

  it('ffmpeg failing (missing input) reports its exit code and stderr', async () => {
    const source = new FfmpegSource('/nonexistent/input.mp4');
    const sink = recordingSink();
    source.start(sink);
    const error = await sink.ended;
    expect(error?.message).toMatch(/^ffmpeg exited with code \d+: .*No such file or directory/s);
    await source.stop();
  });
});
