/**
 * How an app proves it holds `appSecretKey` (the guide's appParams) on every HTTP request and on the
 * viewer's signalling WebSocket: HMAC-SHA256 over method, host name, path, timestamp, nonce and the body's
 * hash. The server refuses signatures older than `APP_SIGNATURE_MAX_AGE_S`, nonces it has already seen, and
 * signatures made for another host: a signed request captured on its way to one server (or handed to a
 * staging server) does not work on another. The host name is signed without its port, which reverse
 * proxies drop (nginx's `$host`).
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

/**
 * The host name a signature covers, from a Host header or a URL's host (`Example.com:8443`, `[::1]:80`):
 * lower case, without the port.
 */
export function signedHostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** What is signed: method, host name (signedHostName), path without query, timestamp, nonce, body hash. */
export async function canonicalAppRequest(
  request: { method: string; host: string; path: string },
  timestamp: number,
  nonce: string,
  body: string | Uint8Array = '',
): Promise<string> {
  return [
    request.method.toUpperCase(),
    signedHostName(request.host),
    request.path,
    String(timestamp),
    nonce,
    hexEncode(await sha256(body)),
  ].join('\n');
}

/**
 * Signs one request to `url` (absolute: `https://host/api/xp2pinfo`, or the `http(s)` URL of a WebSocket
 * path); its query is not signed (the WebSocket carries the signature fields there).
 */
export async function signAppRequest(
  credentials: { appKey: string; appSecretKey: string },
  method: string,
  url: string,
  body: string | Uint8Array = '',
  now: number = Date.now(),
): Promise<AppSignatureFields> {
  const timestamp = Math.floor(now / 1000);
  const nonce = randomId(12);
  const { host, pathname } = new URL(url);
  const canonical = await canonicalAppRequest({ method, host, path: pathname }, timestamp, nonce, body);
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
