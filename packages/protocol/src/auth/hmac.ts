/**
 * HMAC-SHA256 and random ids on WebCrypto, so the same code runs in Node (globalThis.crypto, Node >= 19)
 * and in browsers.
 */
import { base64UrlEncode, utf8Encode } from '../bytes.js';

function subtle(): SubtleCrypto {
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available here');
  return c.subtle;
}

const asBytes = (x: string | Uint8Array): Uint8Array => (typeof x === 'string' ? utf8Encode(x) : x);

export async function hmacSha256(key: string | Uint8Array, message: string | Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', asBytes(key) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return new Uint8Array(await subtle().sign('HMAC', k, asBytes(message) as BufferSource));
}

export async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', asBytes(data) as BufferSource));
}

/** Compares two strings in time independent of where they first differ. */
export function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** An unguessable id: `bytes` random bytes (default 16 = 128 bits), base64url. */
export function randomId(bytes = 16): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return base64UrlEncode(b);
}
