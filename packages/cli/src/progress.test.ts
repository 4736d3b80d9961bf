import { describe, expect, it } from 'vitest';
import { progressBar } from './progress.js';

function terminal(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (t: string) => out.push(t) } };
}

describe('progressBar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const { out, stream } = terminal(false);
    const bar = progressBar((d, t) => `${d}/${t}`, stream);
    bar.update(5, 10);
    bar.finish();
    expect(out).toEqual([]);
  });

  it('draws the share done, at most every 100 ms, and ends the line', () => {
    const { out, stream } = terminal(true);
    let t = 0;
    const bar = progressBar(
      (d, total) => `${d}/${total} MB`,
      stream,
      () => t,
    );
    bar.update(0, 10);
    t = 50;
    bar.update(3, 10); // too soon: not drawn
    t = 150;
    bar.update(5, 10);
    bar.finish();
    expect(out).toEqual([
      `\r[${'.'.repeat(30)}] 0/10 MB`,
      `\r[${'#'.repeat(15)}${'.'.repeat(15)}] 5/10 MB`,
      `\r[${'#'.repeat(15)}${'.'.repeat(15)}] 5/10 MB`,
      '\n',
    ]);
  });
});
