import { describe, expect, it } from 'vitest';
import { cachedAppLookup } from './app-cache.js';

const app = (appKey: string) => ({
  appid: appKey,
  appOauthId: 'o',
  appKey,
  appSecretKey: 's'.repeat(32),
  appPackage: 'p',
});

describe('cachedAppLookup', () => {
  it('asks the database once per app per ttl, never keeps a miss, and holds at most maxEntries', async () => {
    let t = 0;
    const asked: string[] = [];
    const known = new Set(['a', 'b', 'c']);
    const lookup = cachedAppLookup(
      async (key) => {
        asked.push(key);
        return known.has(key) ? app(key) : undefined;
      },
      { ttlMs: 1000, maxEntries: 2, now: () => t },
    );
    expect((await lookup('a'))?.appid).toBe('a');
    expect((await lookup('a'))?.appid).toBe('a');
    expect(await lookup('nobody')).toBeUndefined();
    expect(await lookup('nobody')).toBeUndefined();
    expect(asked).toEqual(['a', 'nobody', 'nobody']);
    t = 1001; // expired: asked again (an app removed meanwhile is gone within the ttl)
    known.delete('a');
    expect(await lookup('a')).toBeUndefined();
    await lookup('b');
    await lookup('c');
    await lookup('b'); // still held
    expect(asked.slice(3)).toEqual(['a', 'b', 'c']);
  });
});
