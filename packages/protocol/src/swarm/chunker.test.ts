import { readFileSync } from 'node:fs';
import { probeFlv, type ProbedPacket } from '@xp2p/testing';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes.js';
import { parseFlv } from '../flv/demux.js';
import { isAvcEndOfSequence, isScriptTag, isSequenceHeader, startsGop } from '../flv/inspect.js';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, type FlvTag } from '../flv/tag.js';
import { FlvChunker, type ChunkerChunk, type ChunkerInit, type ChunkerOutput } from './chunker.js';

const fixture = parseFlv(new Uint8Array(readFileSync(new URL('../flv/fixtures/av.flv', import.meta.url))));

function chunkAll(tags: readonly FlvTag[], chunker = new FlvChunker({ header: fixture.header })): ChunkerOutput[] {
  return [...tags.flatMap((t) => chunker.push(t)), ...chunker.flush()];
}
const chunksOf = (out: ChunkerOutput[]): ChunkerChunk[] => out.filter((o): o is ChunkerChunk => o.kind === 'chunk');
const initsOf = (out: ChunkerOutput[]): ChunkerInit[] => out.filter((o): o is ChunkerInit => o.kind === 'init');

/** ffprobe's packets for some FLV bytes, after checking that ffmpeg decodes them cleanly. */
async function probe(bytes: Uint8Array): Promise<ProbedPacket[]> {
  const result = await probeFlv(bytes);
  expect(result.decodeErrors).toBe('');
  return result.packets;
}

describe('FlvChunker on the av fixture', () => {
  const out = chunkAll(fixture.tags);
  const inits = initsOf(out);
  const chunks = chunksOf(out);
  const mediaTags = fixture.tags.filter((t) => !isScriptTag(t) && !isSequenceHeader(t) && !isAvcEndOfSequence(t));

  it('emits one init part first, holding header, metadata and both sequence headers at timestamp 0', () => {
    expect(out[0]?.kind).toBe('init');
    expect(inits).toHaveLength(1);
    const init = parseFlv(inits[0]!.bytes);
    expect(init.header).toEqual({ audio: true, video: true });
    expect(init.tags.map((t) => [t.type, t.timestamp])).toEqual([
      [18, 0],
      [FLV_TAG_VIDEO, 0],
      [FLV_TAG_AUDIO, 0],
    ]);
    expect(init.tags.slice(1).every(isSequenceHeader)).toBe(true);
  });

  it('numbers chunks from 0 and keeps every media tag exactly once, in order', () => {
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    const rejoined = parseFlv(concatBytes([inits[0]!.bytes, ...chunks.map((c) => c.bytes)])).tags.slice(3);
    expect(rejoined).toEqual(mediaTags);
    expect(chunks.every((c) => c.initId === 0)).toBe(true);
  });

  it('starts a chunk at every GOP keyframe and marks exactly those chunks as keyframe chunks', () => {
    const keyframeTimestamps = mediaTags.filter(startsGop).map((t) => t.timestamp);
    expect(keyframeTimestamps.length).toBeGreaterThanOrEqual(2);
    const firstTags = chunks.map((c) => parseFlv(concatBytes([inits[0]!.bytes, c.bytes])).tags[3]!);
    expect(chunks.filter((c) => c.keyframe).map((c) => c.timestamp)).toEqual(keyframeTimestamps);
    chunks.forEach((c, i) => expect(startsGop(firstTags[i]!)).toBe(c.keyframe));
  });

  it('keeps each chunk within the target span and reports the time up to the next chunk as duration', () => {
    for (const [i, c] of chunks.entries()) {
      const tags = parseFlv(concatBytes([inits[0]!.bytes, c.bytes])).tags.slice(3);
      const last = Math.max(...tags.map((t) => t.timestamp));
      expect(last - c.timestamp).toBeLessThan(500);
      const next = chunks[i + 1];
      if (next) expect(c.duration).toBe(next.timestamp - c.timestamp);
    }
    // 2 s of media with ≤ 0.5 s chunks and a keyframe each second
    expect(chunks.length).toBeGreaterThanOrEqual(4);
  });

  it('init + chunks from the second keyframe chunk decode in ffmpeg, starting with a keyframe', async () => {
    const start = chunks.filter((c) => c.keyframe)[1]!;
    const tail = chunks.filter((c) => c.seq >= start.seq);
    const packets = await probe(concatBytes([inits[0]!.bytes, ...tail.map((c) => c.bytes)]));
    const video = packets.filter((p) => p.codec_type === 'video');
    expect(video[0]?.flags).toMatch(/^K/);
    const tailTags = tail.flatMap((c) => parseFlv(concatBytes([inits[0]!.bytes, c.bytes])).tags.slice(3));
    expect(video).toHaveLength(tailTags.filter((t) => t.type === FLV_TAG_VIDEO).length);
  });

  it('whole stream (init + all chunks) decodes', async () => {
    const packets = await probe(concatBytes([inits[0]!.bytes, ...chunks.map((c) => c.bytes)]));
    expect(packets.filter((p) => p.codec_type === 'video')).toHaveLength(30);
  });
});

describe('FlvChunker edge cases', () => {
  const avcConfig = (n: number): FlvTag => ({
    type: FLV_TAG_VIDEO,
    timestamp: 0,
    data: Uint8Array.of(0x17, 0, 0, 0, 0, n),
  });
  const key = (ts: number): FlvTag => ({
    type: FLV_TAG_VIDEO,
    timestamp: ts,
    data: Uint8Array.of(0x17, 1, 0, 0, 0, 9),
  });
  const inter = (ts: number): FlvTag => ({
    type: FLV_TAG_VIDEO,
    timestamp: ts,
    data: Uint8Array.of(0x27, 1, 0, 0, 0, 9),
  });

  it('a changed sequence header ends the chunk and brings a new init part; a repeated one changes nothing', () => {
    const out = chunkAll(
      [avcConfig(1), key(0), inter(40), avcConfig(1), key(80), inter(120), avcConfig(2), key(160), inter(200)],
      new FlvChunker(),
    );
    expect(out.map((o) => (o.kind === 'init' ? `init${o.initId}` : `c${o.seq}/i${o.initId}`))).toEqual([
      'init0',
      'c0/i0',
      'c1/i0',
      'init1',
      'c2/i1',
    ]);
    expect(initsOf(out)[0]!.flags).toEqual({ audio: false, video: true });
  });

  it('closes a chunk before the first tag at targetChunkMs or later; one huge gap stays one chunk', () => {
    const out = chunksOf(
      chunkAll(
        [avcConfig(1), key(0), inter(100), inter(199), inter(200), inter(5000)],
        new FlvChunker({ targetChunkMs: 200 }),
      ),
    );
    expect(out.map((c) => [c.timestamp, c.duration, c.keyframe])).toEqual([
      [0, 200, true],
      [200, 4800, false],
      [5000, 0, false],
    ]);
  });

  it('closes a chunk before it would grow past maxChunkBytes', () => {
    const out = chunksOf(chunkAll([avcConfig(1), key(0), inter(10), inter(20)], new FlvChunker({ maxChunkBytes: 40 })));
    expect(out.map((c) => c.timestamp)).toEqual([0, 10, 20]);
  });

  it('marks every chunk of an audio-only stream as a place to start', () => {
    const aac = (ts: number): FlvTag => ({ type: FLV_TAG_AUDIO, timestamp: ts, data: Uint8Array.of(0xaf, 1, 7) });
    const out = chunkAll(
      [{ type: FLV_TAG_AUDIO, timestamp: 0, data: Uint8Array.of(0xaf, 0, 0x12, 0x10) }, aac(0), aac(300), aac(600)],
      new FlvChunker({ targetChunkMs: 500 }),
    );
    expect(initsOf(out)[0]!.flags).toEqual({ audio: true, video: false });
    expect(chunksOf(out).map((c) => c.keyframe)).toEqual([true, true]);
  });

  it('a stream with only headers still yields its init part on flush', () => {
    const chunker = new FlvChunker();
    expect(chunker.push(avcConfig(1))).toEqual([]);
    expect(chunker.flush().map((o) => o.kind)).toEqual(['init']);
  });

  it('refuses a non-positive target', () => {
    expect(() => new FlvChunker({ targetChunkMs: 0 })).toThrow(RangeError);
  });
});
