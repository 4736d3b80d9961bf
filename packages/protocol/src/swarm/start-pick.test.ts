import { describe, expect, it } from 'vitest';
import { parseStartLead, pickStartChunk, START_LEAD_MAX_MS, type StartCandidate } from './start-pick.js';

const chunks: StartCandidate[] = [
  { seq: 3, keyframe: true, announcedAt: 1000 },
  { seq: 4, keyframe: false, announcedAt: 1500 },
  { seq: 5, keyframe: true, announcedAt: 2000 },
  { seq: 6, keyframe: false, announcedAt: 2500 },
  { seq: 7, keyframe: true, announcedAt: 3000 },
];
const pick = (now: number, lead: number, list = chunks) => pickStartChunk(list, now, lead, (c) => c)?.seq;

describe('pickStartChunk', () => {
  it('takes the newest keyframe chunk at least `lead` old, whatever the order given', () => {
    expect(pick(4000, 2000)).toBe(5);
    expect(pick(4000, 1000)).toBe(7);
    expect(pick(3999, 1000)).toBe(5);
    expect(pick(4000, 2000, [...chunks].reverse())).toBe(5);
  });

  it('falls back to the oldest keyframe chunk when none is that old, and to nothing without keyframes', () => {
    expect(pick(1500, 2000)).toBe(3);
    expect(
      pick(
        4000,
        0,
        chunks.filter((c) => !c.keyframe),
      ),
    ).toBeUndefined();
    expect(pick(4000, 0, [])).toBeUndefined();
  });
});

describe('parseStartLead', () => {
  it('takes integers of ms in bounds only', () => {
    expect(parseStartLead('0')).toBe(0);
    expect(parseStartLead('2000')).toBe(2000);
    expect(parseStartLead(String(START_LEAD_MAX_MS))).toBe(START_LEAD_MAX_MS);
    for (const bad of [null, '', '-1', '1.5', '1e3', ' 5', String(START_LEAD_MAX_MS + 1), '9999999'])
      expect(parseStartLead(bad), String(bad)).toBeUndefined();
  });
});
