/**
 * The base URL the server writes into each xp2pInfo (viewers signal there). Behind a reverse proxy or load
 * balancer the server's own address is not what clients can reach, so, in order:
 * 1. `publicUrl` when configured (the recommended setting behind a proxy: fixed, not spoofable);
 * 2. with `trustProxy`, the proxy's `X-Forwarded-Proto` / `X-Forwarded-Host` (only when every request
 *    comes through a proxy that sets them; otherwise any client could choose the URL it is sent);
 * 3. the address the server listens on, unless that is unspecified (0.0.0.0, ::) or private, which no
 *    client elsewhere can reach: then the Host the request came to (the name the client itself used, so it
 *    misdirects no one else);
 * 4. the address the server listens on.
 */
import type { IncomingMessage } from 'node:http';
import { hostnameOfHostHeader, isUnadvertisableHost } from '../stun/advertised-stun.js';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const first = (v: string | string[] | undefined): string | undefined =>
  (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();

export function publicUrlResolver(options: {
  publicUrl: string | undefined;
  trustProxy: boolean;
  ownUrl: () => string;
  /** the address or name the server listens on */
  listenHost?: string;
}): (req: IncomingMessage) => string {
  const fixed = options.publicUrl?.replace(/\/+$/, '');
  return (req) => {
    if (fixed) return fixed;
    if (options.trustProxy) {
      const host = first(req.headers['x-forwarded-host']) ?? first(req.headers.host);
      const proto = first(req.headers['x-forwarded-proto']);
      if (host && HOST.test(host) && (proto === 'http' || proto === 'https')) return `${proto}://${host}`;
    }
    const own = options.ownUrl();
    const host = first(req.headers.host);
    if (options.listenHost && isUnadvertisableHost(options.listenHost) && host && hostnameOfHostHeader(host)) {
      return `${new URL(own).protocol}//${host}`;
    }
    return own;
  };
}

/**
 * The client's address for per-address limits. Behind a proxy (trustProxy) every socket comes from the
 * proxy, so the address is the last X-Forwarded-For entry: the one our proxy appended (earlier entries
 * are whatever the client sent, so spoofable).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const own = req.socket.remoteAddress ?? '';
  if (!trustProxy) return own;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const last = hops[hops.length - 1]?.trim();
  return last && last.length <= 64 ? last : own;
}
