/**
 * The origin's signing of 1vN records (protocol/src/swarm/record-signature.ts says why and what is signed):
 * node:crypto, synchronously, so a chunk is announced the moment it is cut, signature included. Measured on
 * this machine: see `npm run bench` (origin sign / peer verify per chunk, BENCHMARKS.md).
 */
import { createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { ED25519_PKCS8_PREFIX, recordSignedBytes, STREAM_SIGN_CONTEXT, type SignedRecord } from '@xp2p/protocol';

export interface StreamSigner {
  /** base64url Ed25519 public key: what viewers get with the stream URL (`?pk=`) */
  readonly publicKey: string;
  /** the record's signature (base64url) for `stream`'s publish `epoch` */
  sign(stream: string, epoch: string, record: SignedRecord): string;
}

/** The signer of `stream`, from the publish key that publishes it (the same derivation as streamPublicKey). */
export function streamSigner(publishKey: string, stream: string): StreamSigner {
  const seed = createHmac('sha256', publishKey)
    .update(STREAM_SIGN_CONTEXT + stream)
    .digest();
  const key: KeyObject = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(key).export({ format: 'jwk' }).x!;
  return {
    publicKey,
    sign: (name, epoch, record) => sign(null, recordSignedBytes(name, epoch, record), key).toString('base64url'),
  };
}
