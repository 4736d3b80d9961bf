import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnCredentials, turnIceServer } from './credentials.js';

describe('turnCredentials (coturn use-auth-secret / TURN REST API)', () => {
  it('makes "<expiry>:<user>" and base64(HMAC-SHA1(secret, username))', () => {
    const c = turnCredentials('north', 'viewer-1', 600, 1_700_000_000_123);
    expect(c.username).toBe('1700000600:viewer-1');
    expect(c.expiresAt).toBe(1_700_000_600);
    // independent computation of the same HMAC
    expect(c.credential).toBe(createHmac('sha1', 'north').update('1700000600:viewer-1').digest('base64'));
  });

  it('matches a fixed vector (HMAC-SHA1 of a known key and message)', () => {
    // RFC 2202 test case 2: key "Jefe", data "what do ya want for nothing?" → effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
    const hmac = Buffer.from('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79', 'hex').toString('base64');
    expect(createHmac('sha1', 'Jefe').update('what do ya want for nothing?').digest('base64')).toBe(hmac);
  });

  it('changes with the secret, the user and the expiry', () => {
    const base = turnCredentials('s', 'u', 60, 0).credential;
    expect(turnCredentials('t', 'u', 60, 0).credential).not.toBe(base);
    expect(turnCredentials('s', 'v', 60, 0).credential).not.toBe(base);
    expect(turnCredentials('s', 'u', 61, 0).credential).not.toBe(base);
  });

  it('refuses an empty secret, a ":" in the user and a non-positive ttl', () => {
    expect(() => turnCredentials('', 'u', 60)).toThrow(RangeError);
    expect(() => turnCredentials('s', 'a:b', 60)).toThrow(RangeError);
    expect(() => turnCredentials('s', 'u', 0)).toThrow(RangeError);
  });

  it('builds an ICE server entry', () => {
    expect(turnIceServer('turn:203.0.113.1:3479?transport=udp', 's', 'u', 60, 0)).toEqual({
      urls: 'turn:203.0.113.1:3479?transport=udp',
      username: '60:u',
      credential: createHmac('sha1', 's').update('60:u').digest('base64'),
    });
  });
});
