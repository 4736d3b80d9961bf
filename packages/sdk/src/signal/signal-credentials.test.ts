import { canonicalAppRequest, base64UrlEncode, hmacSha256 } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { signalQuery } from './signal-credentials.js';

describe('signalQuery', () => {
  it('a ticket source: the ticket alone, fetched afresh for every socket; no app key in the query', async () => {
    let calls = 0;
    const source = async () => `t1.payload${++calls}.mac`;
    const first = await signalQuery({ ticket: source }, 'http://h/signal/viewer');
    const second = await signalQuery({ ticket: source }, 'http://h/signal/peer');
    expect([...first.keys()]).toEqual(['ticket']);
    expect(first.get('ticket')).toBe('t1.payload1.mac');
    expect(second.get('ticket')).toBe('t1.payload2.mac');
    expect((await signalQuery({ ticket: 't1.a.b' }, 'http://h/signal/viewer')).get('ticket')).toBe('t1.a.b');
  });

  it('a source that gives nothing usable fails, so no socket is opened without credentials', async () => {
    await expect(signalQuery({ ticket: async () => '' }, 'http://h/signal/viewer')).rejects.toThrow(/no usable ticket/);
    await expect(signalQuery({ ticket: () => 'x'.repeat(600) }, 'http://h/signal/viewer')).rejects.toThrow(
      /no usable ticket/,
    );
  });

  it('app keys: an HMAC signature over GET, the host and the path, which the server can check', async () => {
    const q = await signalQuery(
      { appKey: 'key-1', appSecretKey: 'secret-1' },
      'http://cams.example:8080/signal/viewer',
    );
    expect(q.get('appKey')).toBe('key-1');
    expect(q.has('ticket')).toBe(false);
    const canonical = await canonicalAppRequest(
      { method: 'GET', host: 'cams.example', path: '/signal/viewer' },
      Number(q.get('timestamp')),
      q.get('nonce')!,
      '',
    );
    expect(q.get('signature')).toBe(base64UrlEncode(await hmacSha256('secret-1', canonical)));
  });
});
