/**
 * How an app proves it holds `appSecretKey` (the guide's appParams) on every HTTP request and on the
 * viewer's signalling WebSocket: HMAC-SHA256 over method, path, timestamp, nonce and the body's hash.
 * The server refuses signatures older than `APP_SIGNATURE_MAX_AGE_S` and nonces it has already seen.
 */
import { base64UrlEncode, hexEncode } from '../bytes.js';
import { hmacSha256, randomId, sha256 } from './hmac.js';

export const APP_SIGNATURE_MAX_AGE_S = 300;

/** Header names (lower case, as Node presents them); the WebSocket carries the same fields in its query. */
export const AppSignatureHeader = {
  appKey: 'x-xp2p-appkey',
  timestamp: 'x-xp2p-timestamp',
  nonce: 'x-xp2p-nonce',
  signature: 'x-xp2p-signature',
} as const;

export interface AppSignatureFields {
  appKey: string;
  timestamp: number;
  nonce: string;
  signature: string;
}

export async function canonicalAppRequest(
  method: string,
  path: string,
  timestamp: number,
  nonce: string,
  body: string | Uint8Array = '',
): Promise<string> {
  return [method.toUpperCase(), path, String(timestamp), nonce, hexEncode(await sha256(body))].join('\n');
}

export async function signAppRequest(
  credentials: { appKey: string; appSecretKey: string },
  method: string,
  path: string,
  body: string | Uint8Array = '',
  now: number = Date.now(),
): Promise<AppSignatureFields> {
  const timestamp = Math.floor(now / 1000);
  const nonce = randomId(12);
  const canonical = await canonicalAppRequest(method, path, timestamp, nonce, body);
  const signature = base64UrlEncode(await hmacSha256(credentials.appSecretKey, canonical));
  return { appKey: credentials.appKey, timestamp, nonce, signature };
}

export function appSignatureHeaders(f: AppSignatureFields): Record<string, string> {
  return {
    [AppSignatureHeader.appKey]: f.appKey,
    [AppSignatureHeader.timestamp]: String(f.timestamp),
    [AppSignatureHeader.nonce]: f.nonce,
    [AppSignatureHeader.signature]: f.signature,
  };
}
