import { describe, expect, it } from 'vitest';
import { advertisedStunUrls, hostnameOfHostHeader, isUnadvertisableHost } from './advertised-stun.js';

describe('isUnadvertisableHost', () => {
  it.each([
    '0.0.0.0',
    '::',
    '[::]',
    '10.0.0.5',
    '172.20.1.1',
    '192.168.1.10',
    '100.64.0.1',
    '169.254.3.4',
    'fd00::1',
    'fe80::1',
  ])('%s is not advertised', (h) => expect(isUnadvertisableHost(h)).toBe(true));
  it.each(['203.0.113.1', '8.8.8.8', '172.32.0.1', '127.0.0.1', '::1', '2001:db8::1', 'cam.example.com'])(
    '%s may be advertised',
    (h) => expect(isUnadvertisableHost(h)).toBe(false),
  );
});

describe('hostnameOfHostHeader', () => {
  it('takes the name or address without the port', () => {
    expect(hostnameOfHostHeader('xp2p.lab:18080')).toBe('xp2p.lab');
    expect(hostnameOfHostHeader('203.0.113.20')).toBe('203.0.113.20');
    expect(hostnameOfHostHeader('[2001:db8::1]:80')).toBe('2001:db8::1');
  });
  it('refuses what is not a plain host', () => {
    for (const h of [undefined, '', 'a b', 'evil.com/x', 'user@host', 'host:port', 'x'.repeat(300)]) {
      expect(hostnameOfHostHeader(h), String(h)).toBeUndefined();
    }
  });
});

describe('advertisedStunUrls', () => {
  const base = { listenHost: '0.0.0.0', stunPort: 3478 };
  it('uses the configured URLs first', () => {
    const urls = ['stun:stun.example.com:3478', 'stun:203.0.113.9'];
    expect(advertisedStunUrls({ ...base, configured: urls, publicUrl: 'https://cam.example.com' }, 'x:1')).toEqual(
      urls,
    );
  });
  it("then the public URL's host with the STUN port", () => {
    expect(advertisedStunUrls({ ...base, publicUrl: 'https://cam.example.com:8443/' })).toEqual([
      'stun:cam.example.com:3478',
    ]);
    expect(advertisedStunUrls({ ...base, publicUrl: 'http://[2001:db8::7]:80' })).toEqual(['stun:[2001:db8::7]:3478']);
  });
  it('then a routable or loopback listen address', () => {
    expect(advertisedStunUrls({ listenHost: '203.0.113.1', stunPort: 3478 }, 'other:1')).toEqual([
      'stun:203.0.113.1:3478',
    ]);
    expect(advertisedStunUrls({ listenHost: '127.0.0.1', stunPort: 5 })).toEqual(['stun:127.0.0.1:5']);
    expect(advertisedStunUrls({ listenHost: '::1', stunPort: 5 })).toEqual(['stun:[::1]:5']);
  });
  it('never an unspecified or private listen address: the host the client used instead, else none', () => {
    for (const listenHost of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2']) {
      const a = { listenHost, stunPort: 3478 };
      expect(advertisedStunUrls(a, 'xp2p.lab:18080')).toEqual(['stun:xp2p.lab:3478']);
      expect(advertisedStunUrls(a, '[2001:db8::1]:18080')).toEqual(['stun:[2001:db8::1]:3478']);
      expect(advertisedStunUrls(a)).toEqual([]);
      expect(advertisedStunUrls(a, 'not a host')).toEqual([]);
    }
  });
});
