/**
 * Checks an app signature (protocol/src/auth/app-signature.ts) on an HTTP request or a viewer WebSocket
 * upgrade: known appKey, timestamp within ±APP_SIGNATURE_MAX_AGE_S, HMAC over the canonical request, and a
 * nonce not seen before inside that window — on this node, and (in a cluster) on any node: a signed request
 * replayed against another node is refused too.
 */
import {
  APP_SIGNATURE_MAX_AGE_S,
  base64UrlEncode,
  canonicalAppRequest,
  hmacSha256,
  timingSafeEqualText,
} from '@xp2p/protocol';
import type { AppConfig } from '../config/schema.js';
import type { NonceCache, NonceVerdict } from './nonce-cache.js';

/** The four signature fields as they arrive (headers or query), not yet trusted. */
export interface RawSignatureFields {
  appKey: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
}

export interface SignedRequest {
  method: string;
  /** the Host the client reached us by (the request's Host header; the proxy's X-Forwarded-Host under trust-proxy) */
  host: string | undefined;
  /** path without query, exactly as sent */
  path: string;
  body: string | Uint8Array;
}

export type AppAuthResult = { ok: true; app: AppConfig } | { ok: false; status: 401 | 503; message: string };

/**
 * The cluster's replay cache (Redis SET NX with a TTL): true when this nonce is new everywhere. Throws when
 * the shared store is unreachable; the node then relies on its own cache (a replay to another node within
 * that outage is the accepted risk: refusing every signed request would take the whole service down).
 */
export type SharedNonceClaim = (key: string, ttlMs: number) => Promise<boolean>;

/** Finds an app by its public appKey (the accounts database). */
export type AppLookup = (appKey: string) => Promise<AppConfig | undefined>;

const NONCE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

export class AppAuthenticator {
  readonly #appByKey: AppLookup;
  readonly #nonces: NonceCache;
  readonly #now: () => number;
  readonly #shared: SharedNonceClaim | undefined;

  constructor(appByKey: AppLookup, nonces: NonceCache, now: () => number = Date.now, shared?: SharedNonceClaim) {
    this.#appByKey = appByKey;
    this.#nonces = nonces;
    this.#now = now;
    this.#shared = shared;
  }

  async verify(fields: RawSignatureFields, request: SignedRequest): Promise<AppAuthResult> {
    const refuse = (message: string): AppAuthResult => ({ ok: false, status: 401, message });
    const { appKey, timestamp, nonce, signature } = fields;
    if (!appKey || !timestamp || !nonce || !signature) {
      return refuse('missing app signature (appKey, timestamp, nonce and signature are required)');
    }
    if (appKey.length > 128) return refuse('unknown appKey');
    const app = await this.#appByKey(appKey);
    if (!app) return refuse('unknown appKey');
    if (!TIMESTAMP_PATTERN.test(timestamp)) return refuse('signature timestamp must be unix seconds');
    const ts = Number(timestamp);
    if (Math.abs(this.#now() / 1000 - ts) > APP_SIGNATURE_MAX_AGE_S) {
      return refuse(`signature timestamp is more than ${APP_SIGNATURE_MAX_AGE_S} s away from the server's clock`);
    }
    if (!NONCE_PATTERN.test(nonce)) return refuse('nonce must be 8-64 base64url characters');
    if (!request.host) return refuse('no Host header: a signature covers the host it was made for');
    const canonical = await canonicalAppRequest(
      { method: request.method, host: request.host, path: request.path },
      ts,
      nonce,
      request.body,
    );
    const expected = base64UrlEncode(await hmacSha256(app.appSecretKey, canonical));
    if (!timingSafeEqualText(expected, signature)) return refuse('bad signature');
    // Recorded only after the signature checks out, so strangers cannot fill the cache.
    // The nonce must be remembered until its timestamp can no longer pass the window check.
    const verdict = await this.claimOnce(`${appKey}:${nonce}`, app.appid, (ts + APP_SIGNATURE_MAX_AGE_S) * 1000 + 1000);
    if (verdict === 'replay') return refuse('nonce already used (replayed request)');
    if (verdict === 'full') return { ok: false, status: 503, message: 'too many signed requests, retry later' };
    return { ok: true, app };
  }

  /**
   * Marks `key` used until `expiresAtMs`, on this node and (in a cluster) everywhere: 'replay' when it was
   * used before, 'full' when `owner` (an app) is out of its share of the cache. For any single-use credential
   * that has already been checked (app signatures, signalling tickets), so strangers cannot fill the cache.
   */
  async claimOnce(key: string, owner: string, expiresAtMs: number): Promise<NonceVerdict> {
    const verdict = this.#nonces.remember(key, expiresAtMs, owner);
    if (verdict !== 'fresh' || !this.#shared) return verdict;
    try {
      return (await this.#shared(key, expiresAtMs - this.#now())) ? 'fresh' : 'replay';
    } catch {
      return 'fresh'; // shared store down: this node's cache above is all there is (see SharedNonceClaim)
    }
  }
}
