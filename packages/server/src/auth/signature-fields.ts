import type { IncomingHttpHeaders } from 'node:http';
import { AppSignatureHeader } from '@xp2p/protocol';
import type { RawSignatureFields } from './app-authenticator.js';

const single = (v: string | string[] | null | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export function signatureFromHeaders(headers: IncomingHttpHeaders): RawSignatureFields {
  return {
    appKey: single(headers[AppSignatureHeader.appKey]),
    timestamp: single(headers[AppSignatureHeader.timestamp]),
    nonce: single(headers[AppSignatureHeader.nonce]),
    signature: single(headers[AppSignatureHeader.signature]),
  };
}

/** The viewer WebSocket carries the fields in its query (browsers cannot set upgrade headers). */
export function signatureFromQuery(query: URLSearchParams): RawSignatureFields {
  return {
    appKey: single(query.get('appKey')),
    timestamp: single(query.get('timestamp')),
    nonce: single(query.get('nonce')),
    signature: single(query.get('signature')),
  };
}

/**
 * The host a request's signature must cover: its Host header, or behind a trusted proxy the proxy's
 * X-Forwarded-Host (a proxy may send its upstream's name as Host).
 */
export function signedHostOf(headers: IncomingHttpHeaders, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? single(headers['x-forwarded-host'])?.split(',')[0]?.trim() : undefined;
  return forwarded || single(headers.host);
}

/** Splits a request target into the exact path that was signed (no normalisation) and its query. */
export function splitTarget(url: string | undefined): { path: string; query: URLSearchParams } {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}
