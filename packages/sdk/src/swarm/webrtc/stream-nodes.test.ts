import { describe, expect, it } from 'vitest';
import { nodeBaseOf, parseStreamUrl, streamNodesOf } from './stream-nodes.js';

describe('streamNodesOf', () => {
  it('alone: only the stream URL node', () => {
    expect(streamNodesOf('http://b:2/live/room.flv')).toEqual({ stream: 'room', bases: ['http://b:2'] });
  });

  it('maps the stream path onto the appParams.serverUrl nodes, the stream URL node first, no duplicates', () => {
    expect(streamNodesOf('http://b:2/live/room.flv', { serverUrl: 'http://b:2, http://a:1/' })).toEqual({
      stream: 'room',
      bases: ['http://b:2', 'http://a:1'],
    });
    expect(streamNodesOf('https://b/live/room.flv', { serverUrl: ['wss://a', 'https://c:8443'] }).bases).toEqual([
      'https://b',
      'https://a',
      'https://c:8443',
    ]);
  });

  it('explicit urls win over the server list', () => {
    expect(
      streamNodesOf('http://b:2/live/room.flv', { urls: ['http://a:1/live/room.flv'], serverUrl: 'http://c:3' }).bases,
    ).toEqual(['http://b:2', 'http://a:1']);
  });

  it('refuses alternatives of another stream and bad URLs with a clear message', () => {
    expect(() => streamNodesOf('http://b/live/room.flv', { urls: ['http://a/live/other.flv'] })).toThrow(
      /same stream as url \(room\)/,
    );
    expect(() => streamNodesOf('http://b/live/room.flv', { urls: ['http://a/x'] })).toThrow(/not a live stream URL/);
    expect(() => streamNodesOf('http://b/live/room.flv', { serverUrl: 'ftp://a' })).toThrow(/http\(s\) or ws\(s\)/);
    expect(() => streamNodesOf('ftp://b/live/room.flv')).toThrow(/not a live stream URL/);
  });

  it('caps the list at 16 nodes', () => {
    const many = Array.from({ length: 30 }, (_, i) => `http://n${i}`);
    expect(streamNodesOf('http://b/live/room.flv', { serverUrl: many }).bases).toHaveLength(16);
  });
});

describe('parseStreamUrl / nodeBaseOf', () => {
  it('splits a stream URL; turns ws(s) into http(s) and drops paths', () => {
    expect(parseStreamUrl('https://h:9/live/a_b-1.flv')).toEqual({ base: 'https://h:9', stream: 'a_b-1' });
    // the stream's public key rides along (`pk`); a key of another shape is refused, not ignored
    const pk = 'A'.repeat(43);
    expect(parseStreamUrl(`http://h/live/r.flv?pk=${pk}`)).toEqual({ base: 'http://h', stream: 'r', publicKey: pk });
    expect(() => parseStreamUrl('http://h/live/r.flv?pk=short')).toThrow(/not a live stream URL/);
    expect(nodeBaseOf('ws://h:9/some/path')).toBe('http://h:9');
    expect(nodeBaseOf('wss://h')).toBe('https://h');
  });
});
