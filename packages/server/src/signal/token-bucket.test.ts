import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the given rate', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 10, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now = 100; // 10/s → one token per 100 ms
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now = 10_000; // refill never exceeds capacity
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
