/**
 * End-to-end encryption of a relay-first start (start-relay.ts): the node forwards the frames but cannot
 * read them without tampering with the signalling, the same trust the DTLS fingerprints in the SDP already
 * place in it. WebCrypto only, so browsers and Node run the same code:
 * - ECDH P-256: the viewer's public key rides in its offer, the camera's in relay frame 0;
 * - HKDF-SHA-256 over the shared secret (RFC 5869), salt = the relay id, info binding both public keys;
 * - AES-256-GCM per frame, nonce = 4 zero bytes + the 64-bit frame number (one key per relay, one sender:
 *   a nonce never repeats), additional data = relay id + frame number, so a frame replayed, reordered or
 *   moved to another relay fails to open.
 */
import { base64Decode, base64Encode, concatBytes, utf8Encode } from '../bytes.js';

const INFO = 'xp2p start relay v1';

function subtle(): SubtleCrypto {
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available here');
  return c.subtle;
}

/** A frame that does not open: tampered with, replayed, out of order, or sealed with another key. */
export class RelayFrameError extends Error {
  override name = 'RelayFrameError';
}

export interface RelayKeyPair {
  /** raw uncompressed public key, base64 (what goes on the wire) */
  publicKey: string;
  privateKey: CryptoKey;
}

export async function newRelayKeyPair(): Promise<RelayKeyPair> {
  const pair = await subtle().generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { publicKey: base64Encode(raw), privateKey: pair.privateKey };
}

/**
 * The relay's AES-GCM key, the same on both ends: `mine` with the other end's public key; viewerKey and
 * cameraKey are both public keys as on the wire (they bind the key to this exchange).
 */
export async function deriveRelayKey(
  mine: RelayKeyPair,
  theirs: string,
  relayId: string,
  viewerKey: string,
  cameraKey: string,
): Promise<CryptoKey> {
  let peer: CryptoKey;
  try {
    const raw = base64Decode(theirs);
    peer = await subtle().importKey('raw', raw as BufferSource, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  } catch (err) {
    throw new RelayFrameError(`bad relay public key: ${(err as Error).message}`);
  }
  const secret = await subtle().deriveBits({ name: 'ECDH', public: peer }, mine.privateKey, 256);
  const ikm = await subtle().importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  const info = utf8Encode(`${INFO} ${viewerKey} ${cameraKey}`);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8Encode(relayId) as BufferSource, info: info as BufferSource },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function nonceOf(seq: number): Uint8Array {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setBigUint64(4, BigInt(seq));
  return iv;
}

const aadOf = (relayId: string, seq: number): Uint8Array => utf8Encode(`${relayId}/${seq}`);

/** Seals frame `seq`: `kind` (RELAY_KIND_*) then the payload, encrypted and authenticated. */
export async function sealRelayFrame(
  key: CryptoKey,
  relayId: string,
  seq: number,
  kind: number,
  payload: Uint8Array,
): Promise<Uint8Array> {
  const plain = concatBytes([Uint8Array.of(kind), payload]);
  const sealed = await subtle().encrypt(
    { name: 'AES-GCM', iv: nonceOf(seq) as BufferSource, additionalData: aadOf(relayId, seq) as BufferSource },
    key,
    plain as BufferSource,
  );
  return new Uint8Array(sealed);
}

/** Opens frame `seq`, or throws RelayFrameError (never returns bytes that were not sealed as this frame). */
export async function openRelayFrame(
  key: CryptoKey,
  relayId: string,
  seq: number,
  sealed: Uint8Array,
): Promise<{ kind: number; payload: Uint8Array }> {
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(
      await subtle().decrypt(
        { name: 'AES-GCM', iv: nonceOf(seq) as BufferSource, additionalData: aadOf(relayId, seq) as BufferSource },
        key,
        sealed as BufferSource,
      ),
    );
  } catch {
    throw new RelayFrameError(`relay frame ${seq} failed to decrypt (tampered with, or not from the camera)`);
  }
  if (plain.byteLength < 1) throw new RelayFrameError(`relay frame ${seq} is empty`);
  return { kind: plain[0]!, payload: plain.subarray(1) };
}
