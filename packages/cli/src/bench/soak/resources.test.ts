import { describe, expect, it } from 'vitest';
import { trends, type Sample } from './resources.js';

const MB = 1e6;
const run = (part: string, incarnation: number, rss: number[], fds: number[], timers?: number[]): Sample[] =>
  rss.map((r, i) => ({
    part,
    incarnation,
    age: i * 10,
    rss: r,
    fds: fds[i]!,
    ...(timers ? { timers: timers[i]! } : {}),
  }));

describe('soak resource trends', () => {
  it('judges a process flat when RSS wobbles within the GC sawtooth and fds and timers hold', () => {
    const samples = run(
      'node A',
      1,
      [80, 95, 82, 90, 85, 88].map((x) => x * MB),
      [40, 40, 41, 40, 42, 41],
      [3, 4, 3, 3, 4, 3],
    );
    const [t] = trends(samples, 20);
    expect(t).toMatchObject({
      part: 'node A',
      span: 30,
      rss: [82 * MB, 88 * MB],
      fds: [41, 41],
      timers: [3, 3],
      flat: true,
    });
  });

  it('flags steady RSS growth, an fd leak and a timer leak', () => {
    const rss = run(
      'peer 1',
      1,
      [100, 120, 140, 160, 180].map((x) => x * MB),
      [30, 30, 30, 30, 30],
    );
    const fds = run(
      'camera',
      1,
      [90, 90, 90, 90, 90].map((x) => x * MB),
      [20, 30, 40, 50, 60],
    );
    const timers = run(
      'node B',
      1,
      [90, 90, 90, 90, 90].map((x) => x * MB),
      [20, 20, 20, 20, 20],
      [1, 10, 20, 30, 40],
    );
    expect(trends([...rss, ...fds, ...timers], 0).map((t) => [t.part, t.flat])).toEqual([
      ['peer 1', false],
      ['camera', false],
      ['node B', false],
    ]);
  });

  it('judges the longest-lived incarnation, after warm-up, and skips a part with too few samples', () => {
    const killedEarly = run('viewer', 1, [50 * MB, 500 * MB], [10, 99]);
    const restarted = run(
      'viewer',
      2,
      [60, 61, 62, 61].map((x) => x * MB),
      [12, 12, 12, 12],
    );
    const short = run('redis', 1, [10 * MB], [8]);
    const judged = trends([...killedEarly, ...restarted, ...short], 0);
    expect(judged).toHaveLength(1);
    expect(judged[0]).toMatchObject({ part: 'viewer', fds: [12, 12], flat: true });
  });
});
