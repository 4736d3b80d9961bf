import { describe, expect, it } from 'vitest';
import { hexEncode, utf8Encode } from '../bytes.js';
import { hmacSha256, sha256 } from './hmac.js';

describe('HMAC-SHA256 and SHA-256 (node:crypto in Node, WebCrypto elsewhere)', () => {
  it('match the published vectors and WebCrypto byte for byte', async () => {
    // RFC 4231, test case 2
    const mac = await hmacSha256('Jefe', 'what do ya want for nothing?');
    expect(hexEncode(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    // FIPS 180-2, "abc"
    expect(hexEncode(await sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const key = new Uint8Array(utf8Encode('k'.repeat(70))); // longer than a block: hashed first, on both sides alike
    const message = new Uint8Array(new ArrayBuffer(1000)).map((_, i) => i & 0xff);
    const subtle = globalThis.crypto.subtle;
    const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(await hmacSha256(key, message)).toEqual(new Uint8Array(await subtle.sign('HMAC', k, message)));
    expect(await sha256(message)).toEqual(new Uint8Array(await subtle.digest('SHA-256', message)));
  });
});
