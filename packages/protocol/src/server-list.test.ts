import { describe, expect, it } from 'vitest';
import { parseServerUrls, ServerRotation, webSocketUrl } from './server-list.js';

describe('server URL lists', () => {
  it('parses one URL, a comma list or an array, and refuses anything that is not http(s)/ws(s)', () => {
    expect(parseServerUrls('http://a:1/')).toEqual(['http://a:1']);
    expect(parseServerUrls(' http://a:1 , https://b ')).toEqual(['http://a:1', 'https://b']);
    expect(parseServerUrls(['wss://c'])).toEqual(['wss://c']);
    expect(() => parseServerUrls('')).toThrow(/no server URL/);
    expect(() => parseServerUrls('http://a,ftp://b')).toThrow(/http\(s\) or ws\(s\)/);
    expect(() => parseServerUrls('nope')).toThrow(/not a URL/);
  });

  it('builds WebSocket URLs', () => {
    expect(webSocketUrl('https://a/', '/signal/device')).toBe('wss://a/signal/device');
    expect(webSocketUrl('http://a:1', '/signal/viewer?x=1')).toBe('ws://a:1/signal/viewer?x=1');
  });

  it('moves to the next node on failure and counts whole failed rounds for the back-off', () => {
    const r = new ServerRotation('http://a,http://b');
    expect(r.current).toBe('http://a');
    expect(r.failed()).toBe(0); // a failed: b is untried, no back-off
    expect(r.current).toBe('http://b');
    expect(r.failed()).toBe(0);
    expect(r.current).toBe('http://a');
    expect(r.failed()).toBe(1); // a second round
    r.succeeded();
    expect(r.current).toBe('http://b');
    expect(r.failed()).toBe(0);
    expect(r.current).toBe('http://a');
  });
});
