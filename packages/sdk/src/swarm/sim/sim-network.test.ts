import { describe, expect, it } from 'vitest';
import { Downlink } from './sim-network.js';

describe('simulated downlink', () => {
  it('receives transfers in the order their bytes arrive, not the order they were sent', () => {
    const d = new Downlink(10); // bytes per ms
    // a slow sender's piece that only arrives at t=1000 ...
    expect(d.reserve(0, 1000, 100)).toBe(1010);
    // ... does not hold up one from another sender that arrives at once
    expect(d.reserve(0, 0, 100)).toBe(10);
    // one that overlaps it waits behind it, and fits before the late one
    expect(d.reserve(0, 5, 100)).toBe(20);
    // no room left before t=1000 for a long one: it goes after the late piece
    expect(d.reserve(0, 30, 10_000)).toBe(2010);
  });
});
