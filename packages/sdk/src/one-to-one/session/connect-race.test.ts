import { describe, expect, it } from 'vitest';
import { raceTimers } from './connect-race.js';

const fixed = { raceAfterMs: 700, relayAfterMs: 1_000 };

describe('race timers scaled to the path', () => {
  it('keep the fixed timers before any answer and on a short path', () => {
    expect(raceTimers(fixed, {})).toEqual(fixed);
    expect(raceTimers(fixed, { offerSentAt: 100, answerAt: 105 })).toEqual(fixed);
  });

  it('wait ~7 round trips on a long path, and TURN waits the same factor longer (direct first)', () => {
    const t100 = raceTimers(fixed, { offerSentAt: 0, answerAt: 100 });
    expect(t100.raceAfterMs).toBe(7 * 100 + 350);
    const t300 = raceTimers(fixed, { offerSentAt: 0, answerAt: 300 });
    expect(t300.raceAfterMs).toBe(7 * 300 + 350);
    expect(t300.relayAfterMs).toBe(Math.round((1_000 * t300.raceAfterMs) / 700));
    expect(t300.relayAfterMs).toBeGreaterThan(t300.raceAfterMs);
  });
});
