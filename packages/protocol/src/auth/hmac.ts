/**
 * HMAC-SHA256 and random ids on WebCrypto, so the same code runs in Node (globalThis.crypto, Node >= 19)
 * and in browsers. In Node, HMAC and SHA-256 go to node:crypto instead (found through
 * `process.getBuiltinModule`, so no import reaches a browser bundle): WebCrypto dispatches every call as a
 * job, ~0.3 ms each for these few-hundred-byte inputs, and a signed xp2pInfo issue makes about five of them
 * on the server (measured: BENCHMARKS.md, accounts rows).
 */
import { base64UrlEncode, utf8Encode } from '../bytes.js';

/** The two node:crypto calls used here (typed locally: this package does not depend on Node's types). */
interface NodeHashing {
  createHmac(algorithm: 'sha256', key: Uint8Array): { update(data: Uint8Array): { digest(): Uint8Array } };
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } };
}

const nodeHashing: NodeHashing | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeHashing | undefined;

function subtle(): SubtleCrypto {
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available here');
  return c.subtle;
}

const asBytes = (x: string | Uint8Array): Uint8Array => (typeof x === 'string' ? utf8Encode(x) : x);

export async function hmacSha256(key: string | Uint8Array, message: string | Uint8Array): Promise<Uint8Array> {
  if (nodeHashing)
    return new Uint8Array(nodeHashing.createHmac('sha256', asBytes(key)).update(asBytes(message)).digest());
  const k = await subtle().importKey('raw', asBytes(key) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return new Uint8Array(await subtle().sign('HMAC', k, asBytes(message) as BufferSource));
}

export async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  if (nodeHashing) return new Uint8Array(nodeHashing.createHash('sha256').update(asBytes(data)).digest());
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
