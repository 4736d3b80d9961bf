/**
 * A publisher sending keyframes that all carry the same timestamp made one chunk per keyframe, each of
 * zero media time: the window (bounded by media time) then held them without end. They join one chunk.
 */
import { describe, expect, it } from 'vitest';
import { FLV_TAG_VIDEO, type FlvTag } from '../flv/tag.js';
import { FlvChunker, type ChunkerChunk } from './chunker.js';

const avcConfig: FlvTag = {
  type: FLV_TAG_VIDEO,
  timestamp: 0,
  data: Uint8Array.of(0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f),
};
const key = (ts: number): FlvTag => ({ type: FLV_TAG_VIDEO, timestamp: ts, data: Uint8Array.of(0x17, 1, 0, 0, 0, 9) });

describe('chunker against a hostile publisher', () => {
  it('keyframes with equal timestamps make no zero-length chunks', () => {
    const chunker = new FlvChunker({ header: { audio: false, video: true } });
    const out = [avcConfig, ...Array.from({ length: 1_000 }, () => key(40)), key(80)].flatMap((t) => chunker.push(t));
    out.push(...chunker.flush());
    const chunks = out.filter((o): o is ChunkerChunk => o.kind === 'chunk');
    expect(chunks.length).toBe(2);
    expect(chunks[0]).toMatchObject({ keyframe: true, timestamp: 40, duration: 40 });
  });
});
