import { describe, expect, it } from 'vitest';
import { ChunkWindow, type StoredChunk } from './chunk-window.js';

const chunk = (seq: number, duration = 500, size = 100, keyframe = seq % 2 === 0): StoredChunk => ({
  meta: { seq, size, hash: '0'.repeat(64), keyframe, timestamp: seq * 500, duration, initId: 0 },
  bytes: new Uint8Array(size),
});

describe('ChunkWindow', () => {
  it('keeps the newest window of media time and tells "not yet" from "gone"', () => {
    const w = new ChunkWindow(2_000, 1 << 20);
    for (let seq = 0; seq < 10; seq++) w.add(chunk(seq));
    expect(w.all().map((c) => c.meta.seq)).toEqual([6, 7, 8, 9]);
    expect(w.spanMs).toBe(2_000);
    expect(w.get(7).status).toBe('found');
    expect(w.get(5)).toEqual({ status: 'gone' });
    expect(w.get(10)).toEqual({ status: 'not-yet' });
  });

  it('is bounded by bytes too, but always keeps the newest chunk', () => {
    const w = new ChunkWindow(60_000, 250);
    for (let seq = 0; seq < 5; seq++) w.add(chunk(seq));
    expect(w.all().map((c) => c.meta.seq)).toEqual([3, 4]);
    w.add(chunk(5, 500, 10_000));
    expect(w.all().map((c) => c.meta.seq)).toEqual([5]);
  });

  it('finds the chunks from the latest keyframe chunk', () => {
    const w = new ChunkWindow(60_000, 1 << 20);
    for (let seq = 0; seq < 5; seq++) w.add(chunk(seq, 500, 100, seq === 1 || seq === 3));
    expect(w.fromLatestKeyframe().map((c) => c.meta.seq)).toEqual([3, 4]);
  });

  it('refuses a chunk out of sequence', () => {
    const w = new ChunkWindow(60_000, 1 << 20);
    w.add(chunk(0));
    expect(() => w.add(chunk(2))).toThrow(RangeError);
  });
});

describe('ChunkWindow against a hostile publisher', () => {
  it('holds at most maxChunks chunks, however small and short they are', async () => {
    const { SERVER_DEFAULTS } = await import('../defaults.js');
    const w = new ChunkWindow(30_000, 64 << 20, SERVER_DEFAULTS.originWindowMaxChunks);
    // tiny chunks of zero media time (e.g. sequence headers that flip between two values)
    for (let seq = 0; seq < 50_000; seq++) w.add(chunk(seq, 0, 20));
    expect(w.all().length).toBe(SERVER_DEFAULTS.originWindowMaxChunks);
    expect(w.all().at(-1)!.meta.seq).toBe(49_999);
  });
});
