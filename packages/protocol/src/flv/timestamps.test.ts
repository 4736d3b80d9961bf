import { describe, expect, it } from 'vitest';
import { TimestampRebaser, withTimestamp } from './timestamps.js';
import { FLV_TAG_VIDEO } from './tag.js';

describe('withTimestamp', () => {
  it('returns a new tag sharing the body, leaving the original alone', () => {
    const tag = { type: FLV_TAG_VIDEO, timestamp: 10, data: Uint8Array.of(1) } as const;
    const moved = withTimestamp(tag, 99);
    expect(moved).toEqual({ type: FLV_TAG_VIDEO, timestamp: 99, data: tag.data });
    expect(moved.data).toBe(tag.data);
    expect(tag.timestamp).toBe(10);
  });
});

describe('TimestampRebaser', () => {
  it('starts at the base and keeps the input spacing', () => {
    const r = new TimestampRebaser({ base: 1000 });
    expect([5000, 5033, 5066, 5100].map((t) => r.map(t))).toEqual([1000, 1033, 1066, 1100]);
  });

  it('clamps small backward jitter (audio interleaved behind video) without shifting later output', () => {
    const r = new TimestampRebaser();
    expect([100, 133, 120, 166, 150, 200].map((t) => r.map(t))).toEqual([0, 33, 33, 66, 66, 100]);
  });

  it('continues after the last picture shown, not only the last decode time (B-frames)', () => {
    const r = new TimestampRebaser({ discontinuityStepMs: 33 });
    // decode order P (shown 100 ms later), B, B: the last decode time is 66, the last picture 100
    expect(r.map(0, 100)).toBe(0);
    expect(r.map(33, 0)).toBe(33);
    expect(r.map(66, 0)).toBe(66);
    r.discontinuity();
    // the next keyframe (shown 33 ms after its decode time) is shown one frame after that picture
    const out = r.map(5000, 33);
    expect(out + 33).toBe(100 + 33);
    expect(out).toBeGreaterThan(66);
  });

  it('continues after a source restart or loop instead of going back', () => {
    const r = new TimestampRebaser({ discontinuityStepMs: 33 });
    expect([0, 1000, 1966, 0, 33].map((t) => r.map(t))).toEqual([0, 1000, 1966, 1999, 2032]);
  });

  it('closes large forward gaps and explicit discontinuities', () => {
    const r = new TimestampRebaser({ maxForwardMs: 5000, discontinuityStepMs: 10 });
    expect([0, 40, 60_000, 60_040].map((t) => r.map(t))).toEqual([0, 40, 50, 90]);
    r.discontinuity();
    expect(r.map(70_000)).toBe(100);
    expect(r.map(70_040)).toBe(140);
    expect(r.lastOutput).toBe(140);
  });
});
