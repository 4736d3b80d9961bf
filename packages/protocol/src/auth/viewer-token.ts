/**
 * The short-lived token that lets one app reach one device. The server signs it with a key derived from
 * that device's secret, so the device can check it again itself (DESIGN.md, security): a token for
 * another device, a forged or an expired one fails on the server and again on the device.
 *
 * It names the user the app (or the web app's sign-in) vouched for and the role that user holds on the
 * device, so the camera refuses talk, commands and downloads to a viewer even if the server is bypassed.
 *
 * Format: base64url(JSON payload) "." base64url(HMAC-SHA256(tokenKey, payloadPart)).
 */
import * as z from 'zod/mini';
import { int, text } from '../schema.js';
import { base64Decode, base64UrlEncode, utf8Decode, utf8Encode } from '../bytes.js';
import { hmacSha256, randomId, timingSafeEqualText } from './hmac.js';
import { ROLES, type Role } from './roles.js';

export const VIEWER_TOKEN_DEFAULT_TTL_S = 600;
const MAX_TOKEN_LENGTH = 1024;

const tokenPayloadSchema = z.object({
  v: z.literal(1),
  appid: text(128, 1),
  productId: text(64, 1),
  deviceName: text(64, 1),
  /** who the token was issued for: a user of the app (its own backend's name for them, or a web app user) */
  user: text(128, 1),
  role: z.enum(ROLES),
  /** set when `user` is an account of the server's accounts database (the web app's users) */
  account: z.optional(z.literal(true)),
  /** expiry, unix seconds */
  exp: int(1),
  /** random, so two tokens are never equal */
  nonce: text(64, 8),
});
export type ViewerTokenPayload = z.infer<typeof tokenPayloadSchema>;

export type TokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'wrong-device';
export type TokenCheck = { ok: true; payload: ViewerTokenPayload } | { ok: false; reason: TokenFailure };

/**
 * The HTTP-like status of a refused token, the same from the server and from the camera: 401 when the
 * token cannot be trusted at all (malformed, forged), 403 when it is genuine but not usable here
 * (expired: fetch a new xp2pInfo; made for another device).
 */
export const TOKEN_FAILURE_STATUS: Readonly<Record<TokenFailure, 401 | 403>> = /* @__PURE__ */ Object.freeze({
  malformed: 401,
  'bad-signature': 401,
  expired: 403,
  'wrong-device': 403,
});

async function tokenKey(deviceSecret: string): Promise<Uint8Array> {
  return hmacSha256(deviceSecret, 'xp2p-viewer-token-v1');
}

export async function signViewerToken(
  deviceSecret: string,
  claims: { appid: string; productId: string; deviceName: string; user: string; role: Role; account?: true },
  options: { ttlSeconds?: number; now?: number } = {},
): Promise<string> {
  const now = options.now ?? Date.now();
  const payload: ViewerTokenPayload = {
    v: 1,
    ...claims,
    exp: Math.floor(now / 1000) + (options.ttlSeconds ?? VIEWER_TOKEN_DEFAULT_TTL_S),
    nonce: randomId(12),
  };
  const body = base64UrlEncode(utf8Encode(JSON.stringify(payload)));
  const mac = base64UrlEncode(await hmacSha256(await tokenKey(deviceSecret), body));
  return `${body}.${mac}`;
}

/** Reads the claims without checking the signature (the server needs productId/deviceName to find the secret). */
export function peekViewerToken(token: string): ViewerTokenPayload | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const [body] = token.split('.');
  try {
    const parsed = tokenPayloadSchema.safeParse(JSON.parse(utf8Decode(base64Decode(body ?? ''))));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyViewerToken(
  deviceSecret: string,
  token: string,
  expected: { productId: string; deviceName: string },
  now: number = Date.now(),
): Promise<TokenCheck> {
  const payload = peekViewerToken(token);
  const parts = token.split('.');
  if (!payload || parts.length !== 2) return { ok: false, reason: 'malformed' };
  const mac = base64UrlEncode(await hmacSha256(await tokenKey(deviceSecret), parts[0] ?? ''));
  if (!timingSafeEqualText(mac, parts[1] ?? '')) return { ok: false, reason: 'bad-signature' };
  if (payload.productId !== expected.productId || payload.deviceName !== expected.deviceName) {
    return { ok: false, reason: 'wrong-device' };
  }
  if (payload.exp * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
