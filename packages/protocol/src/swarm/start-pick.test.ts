import { describe, expect, it } from 'vitest';
import {
  parseStartLead,
  pickStartChunk,
  START_LEAD_MAX_MS,
  START_LONG_GOP_SLACK_MS,
  type StartCandidate,
} from './start-pick.js';

const chunks: StartCandidate[] = [
  { seq: 3, keyframe: true, announcedAt: 1000 },
  { seq: 4, keyframe: false, announcedAt: 1500 },
  { seq: 5, keyframe: true, announcedAt: 2000 },
  { seq: 6, keyframe: false, announcedAt: 2500 },
  { seq: 7, keyframe: true, announcedAt: 3000 },
];
/** what was announced by `now` (later chunks do not exist yet) */
const pick = (now: number, lead: number, list = chunks) =>
  pickStartChunk(
    list.filter((c) => c.announcedAt <= now),
    now,
    lead,
    (c) => c,
  )?.seq;

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

  it('with a GOP longer than lead + slack, takes the newest keyframe chunk (the viewer holds it)', () => {
    // keyframes every 4 s: at 9000 the one of 8000 is 1 s old; the one of 4000 is 5 s old
    const longGop: StartCandidate[] = [
      { seq: 1, keyframe: true, announcedAt: 0 },
      { seq: 8, keyframe: true, announcedAt: 4000 },
      { seq: 9, keyframe: false, announcedAt: 4500 },
      { seq: 16, keyframe: true, announcedAt: 8000 },
      { seq: 17, keyframe: false, announcedAt: 8500 },
    ];
    expect(pick(9000, 2000, longGop)).toBe(16);
    expect(pick(10_000, 2000, longGop)).toBe(16); // 2 s old: the usual rule gives it too
    expect(pick(7000, 2000, longGop)).toBe(8); // no newer keyframe yet
    // a GOP of lead + slack or less keeps the usual rule (the 2 s GOP above: 5, not 7)
    const justLonger = [
      { seq: 1, keyframe: true, announcedAt: 0 },
      { seq: 2, keyframe: true, announcedAt: 2000 + START_LONG_GOP_SLACK_MS },
    ];
    expect(pick(2000 + START_LONG_GOP_SLACK_MS + 100, 2000, justLonger)).toBe(1);
    expect(
      pick(2000 + START_LONG_GOP_SLACK_MS + 100, 2000, [justLonger[0]!, { ...justLonger[1]!, announcedAt: 2501 }]),
    ).toBe(2);
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
