import { hexEncode } from '@xp2p/protocol';
import type { HashFn } from './types.js';

/** SHA-256 hex over WebCrypto: the same in browsers and Node ≥ 19. */
export const webCryptoSha256Hex: HashFn = async (bytes) =>
  hexEncode(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as BufferSource)));
