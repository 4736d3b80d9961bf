import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  isAacSequenceHeader,
  isAvcSequenceHeader,
  isScriptTag,
  parseFlv,
  startsGop,
  type FlvTag,
} from '@xp2p/protocol';
import { GopCache } from './gop-cache.js';
import { bundledSamplePath } from './sample.js';

const sampleTags = parseFlv(new Uint8Array(readFileSync(bundledSamplePath()))).tags;
const frame = (key: boolean, n: number, size = 10): FlvTag => ({
  type: FLV_TAG_VIDEO,
  timestamp: n * 33,
  data: Uint8Array.from({ length: size }, (_, i) => (i === 0 ? (key ? 0x17 : 0x27) : i === 1 ? 1 : n & 0xff)),
});

describe('GopCache', () => {
  it('snapshot = script, AVC config, AAC config, then everything since the latest keyframe', () => {
    const cache = new GopCache();
    // Stop in the middle of the 4th GOP.
    const keyIndexes = sampleTags.flatMap((t, i) => (startsGop(t) ? [i] : []));
    const stopAt = keyIndexes[3]! + 20;
    for (const tag of sampleTags.slice(0, stopAt)) cache.push(tag);

    const snap = cache.snapshot();
    expect(isScriptTag(snap[0]!)).toBe(true);
    expect(isAvcSequenceHeader(snap[1]!)).toBe(true);
    expect(isAacSequenceHeader(snap[2]!)).toBe(true);
    expect(startsGop(snap[3]!)).toBe(true);
    expect(snap[3]!.timestamp).toBe(3000); // 1 s GOPs
    expect(snap.slice(3)).toEqual(sampleTags.slice(keyIndexes[3], stopAt));
    expect(cache.hasAudio && cache.hasVideo).toBe(true);
  });

  it('caches nothing but headers before the first keyframe', () => {
    const cache = new GopCache();
    const audio: FlvTag = { type: FLV_TAG_AUDIO, timestamp: 0, data: Uint8Array.of(0xaf, 1, 2) };
    cache.push(audio);
    cache.push(frame(false, 1));
    expect(cache.snapshot()).toEqual([]);
    cache.push(frame(true, 2));
    cache.push(audio);
    expect(cache.snapshot()).toEqual([frame(true, 2), audio]);
  });

  it('stops caching a GOP that outgrows maxBytes until the next keyframe', () => {
    const cache = new GopCache({ maxBytes: 100 });
    cache.push(frame(true, 0, 40));
    cache.push(frame(false, 1, 40));
    expect(cache.snapshot()).toHaveLength(2);
    cache.push(frame(false, 2, 40)); // 120 bytes > 100
    expect(cache.snapshot()).toEqual([]);
    expect(cache.cachedGopBytes).toBe(0);
    cache.push(frame(false, 3, 10)); // still overflowed: not a partial GOP
    expect(cache.snapshot()).toEqual([]);
    cache.push(frame(true, 4, 10));
    cache.push(frame(false, 5, 10));
    expect(cache.snapshot()).toEqual([frame(true, 4, 10), frame(false, 5, 10)]);
  });

  it('new sequence headers replace old ones; a changed AVC config invalidates the cached GOP', () => {
    const cache = new GopCache();
    const avc = (v: number): FlvTag => ({
      type: FLV_TAG_VIDEO,
      timestamp: 0,
      data: Uint8Array.of(0x17, 0, 0, 0, 0, v),
    });
    const aac = (v: number): FlvTag => ({ type: FLV_TAG_AUDIO, timestamp: 0, data: Uint8Array.of(0xaf, 0, v) });
    cache.push(avc(1));
    cache.push(aac(1));
    cache.push(frame(true, 0));
    cache.push(avc(1)); // identical repeat (some encoders resend it every GOP): GOP kept
    cache.push(aac(2));
    expect(cache.snapshot()).toEqual([avc(1), aac(2), frame(true, 0)]);
    cache.push(avc(2));
    expect(cache.snapshot()).toEqual([avc(2), aac(2)]);
  });
});
