import { describe, expect, it } from 'vitest';
import { NonceCache } from './nonce-cache.js';

describe('NonceCache', () => {
  it('refuses a nonce it has seen until that nonce expires', () => {
    let now = 1_000;
    const cache = new NonceCache(10, () => now);
    expect(cache.remember('a', 2_000)).toBe('fresh');
    expect(cache.remember('a', 2_000)).toBe('replay');
    now = 2_001;
    expect(cache.remember('a', 3_000)).toBe('fresh');
  });

  it('stays bounded: sweeps expired entries, and refuses when full of live ones', () => {
    let now = 0;
    const cache = new NonceCache(3, () => now);
    for (const k of ['a', 'b', 'c']) expect(cache.remember(k, 100)).toBe('fresh');
    expect(cache.remember('d', 100)).toBe('full');
    now = 101;
    expect(cache.remember('d', 200)).toBe('fresh');
    expect(cache.size).toBe(1);
  });
});
