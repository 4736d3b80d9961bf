import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { publicUrlResolver } from './public-url.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('publicUrlResolver', () => {
  it('puts the configured public URL first', () => {
    const url = publicUrlResolver({ publicUrl: 'https://cam.example.com/', trustProxy: false, ownUrl: () => 'x' });
    expect(url(req({ host: 'other:1' }))).toBe('https://cam.example.com');
  });

  it('keeps a reachable listen address whatever Host the client sent', () => {
    const own = 'http://203.0.113.1:18080';
    const url = publicUrlResolver({
      publicUrl: undefined,
      trustProxy: false,
      ownUrl: () => own,
      listenHost: '203.0.113.1',
    });
    expect(url(req({ host: 'evil.example:1' }))).toBe(own);
  });

  it('uses the Host the client came to when the server listens on an unspecified or private address', () => {
    for (const listenHost of ['0.0.0.0', '10.5.0.2']) {
      const url = publicUrlResolver({
        publicUrl: undefined,
        trustProxy: false,
        ownUrl: () => `https://${listenHost}:18080`,
        listenHost,
      });
      expect(url(req({ host: 'xp2p.lab:18080' }))).toBe('https://xp2p.lab:18080');
      // not a plain host: the listen address, as before
      expect(url(req({ host: 'a/b' }))).toBe(`https://${listenHost}:18080`);
    }
  });
});
