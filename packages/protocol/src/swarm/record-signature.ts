/**
 * The origin's signature on 1vN records. Peers trust a chunk's bytes only through the origin's hashes, and
 * those hashes reach them through parts that may be hostile: a plaintext path, an HTTP cache or CDN in front
 * of the origin, the cluster node that mirrors the stream and relays its announcements. Whoever rewrites a
 * hash and serves bytes that match it would poison every viewer. So the origin signs each record that carries
 * hashes (an init part's meta; a chunk's meta with its piece hashes) with the stream's Ed25519 key, once per
 * record (not per piece: one signature covers the piece list), and the signature travels inside the record
 * (`sig`): the manifest, the announce feed, the tracker's announcements and a mirror node's copies all carry
 * the origin's own signature unchanged. The signed bytes bind the stream name and the publish epoch, so a
 * record cannot be replayed into another stream or another publish, and every field a peer uses.
 *
 * The key: the stream's Ed25519 seed is HMAC-SHA256(the stream's publish key, STREAM_SIGN_CONTEXT + NAME).
 * Every cluster node derives the same key from the publish key it checks (no key to share through Redis,
 * the same after a restart), and the publisher, who holds that key (the operator's `xp2p publish`, or a full
 * camera for its own stream), computes the public key itself and hands it out with the stream URL
 * (`?pk=`, STREAM_KEY_PARAM): the key never comes from the path it protects.
 *
 * WebCrypto Ed25519 (RFC 8032): Node >= 20, Chromium >= 137, Firefox >= 129, Safari >= 17.
 */
import { base64Decode, utf8Encode } from '../bytes.js';
import { hmacSha256 } from '../auth/hmac.js';
import type { ChunkMeta, InitMeta } from './chunk-meta.js';

export const STREAM_SIGN_CONTEXT = 'xp2p-1vn-sign\n';
/** The 1vN URL's query parameter with the stream's public key: http://host/live/NAME.flv?pk=KEY */
export const STREAM_KEY_PARAM = 'pk';
/** An Ed25519 public key, base64url (32 bytes) */
export const STREAM_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410 §7): this prefix, then the seed. */
export const ED25519_PKCS8_PREFIX = /* @__PURE__ */ Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);

/** A record that carries hashes, as signed. */
export type SignedRecord = { init: InitMeta } | { chunk: ChunkMeta };

/**
 * The bytes the origin signs for a record of `stream`'s publish `epoch`. Every field is schema-checked text
 * without newlines or digits only, so the lines cannot be shifted into one another.
 */
export function recordSignedBytes(stream: string, epoch: string, record: SignedRecord): Uint8Array {
  const head = `${STREAM_SIGN_CONTEXT}${stream}\n${epoch}\n`;
  if ('init' in record) {
    const i = record.init;
    return utf8Encode(`${head}init\n${i.initId}\n${i.size}\n${i.hash}`);
  }
  const c = record.chunk;
  const fields = [c.seq, c.size, c.hash, c.keyframe ? 1 : 0, c.timestamp, c.duration, c.initId, c.pieceBytes ?? ''];
  return utf8Encode(`${head}chunk\n${fields.join('\n')}\n${(c.pieces ?? []).join('')}`);
}

/** The stream's Ed25519 seed (32 bytes) from its publish key. */
export const streamSigningSeed = (publishKey: string, stream: string): Promise<Uint8Array> =>
  hmacSha256(publishKey, STREAM_SIGN_CONTEXT + stream);

/** The stream's public key (base64url), as the publisher hands it out with the stream URL. */
export async function streamPublicKey(publishKey: string, stream: string): Promise<string> {
  const pkcs8 = new Uint8Array([...ED25519_PKCS8_PREFIX, ...(await streamSigningSeed(publishKey, stream))]);
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, 'Ed25519', true, ['sign']);
  return (await crypto.subtle.exportKey('jwk', key)).x!;
}

/**
 * A verifier for records of one stream's key. Rejects on a malformed key, and with a clear message when this
 * runtime's WebCrypto has no Ed25519: a peer given a key never plays what it cannot check.
 */
export async function streamRecordVerifier(
  publicKey: string,
): Promise<(stream: string, epoch: string, record: SignedRecord) => Promise<boolean>> {
  if (!STREAM_KEY_PATTERN.test(publicKey)) throw new Error(`not a stream key: ${publicKey}`);
  const subtle = globalThis.crypto?.subtle;
  const key = await subtle
    ?.importKey('raw', base64Decode(publicKey) as BufferSource, 'Ed25519', false, ['verify'])
    .catch(() => undefined);
  if (!key) throw new Error("cannot check the stream's signatures: this runtime's WebCrypto has no Ed25519");
  return (stream, epoch, record) => {
    const sig = 'init' in record ? record.init.sig : record.chunk.sig;
    return sig
      ? subtle.verify(
          'Ed25519',
          key,
          base64Decode(sig) as BufferSource,
          recordSignedBytes(stream, epoch, record) as BufferSource,
        )
      : Promise.resolve(false);
  };
}
