import { describe, expect, it } from 'vitest';
import { mixNeighbours } from './federation.js';

const peers = (prefix: string, n: number, upload: boolean) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, upload }));

describe('neighbours across nodes', () => {
  it('takes uploaders first, from either node, up to the count', () => {
    const local = [...peers('l-up', 2, true), ...peers('l-down', 3, false)];
    const remote = [...peers('r-up', 2, true), ...peers('r-down', 3, false)];
    const picked = mixNeighbours(local, remote, 5);
    expect(picked).toHaveLength(5);
    expect(picked.slice(0, 4).every((p) => p.upload)).toBe(true);
    expect(new Set(picked.map((p) => p.id)).size).toBe(5);
  });

  it('spreads picks over both nodes (not all local first)', () => {
    let remoteSeen = 0;
    for (let i = 0; i < 50; i++) {
      const picked = mixNeighbours(peers('l', 10, true), peers('r', 10, true), 4);
      remoteSeen += picked.filter((p) => p.id.startsWith('r')).length;
    }
    // 200 picks from an even split: far from 0 or 200
    expect(remoteSeen).toBeGreaterThan(50);
    expect(remoteSeen).toBeLessThan(150);
  });

  it('gives what there is when fewer than the count', () => {
    expect(
      mixNeighbours([], peers('r', 2, false), 8)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['r0', 'r1']);
  });
});
