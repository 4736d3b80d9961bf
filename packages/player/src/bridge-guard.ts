/**
 * Who may use the player bridge. It listens on the user's loopback address, where every web page the user
 * visits can reach it too, so before a request becomes a P2P service it must pass four checks:
 * - Host is the bridge's own loopback address and port (421 otherwise): a DNS-rebound name that resolves
 *   to 127.0.0.1 carries its own name in Host (https://en.wikipedia.org/wiki/DNS_rebinding);
 * - a browser request comes from an allowed origin (403 otherwise): `Origin` when the browser sends one,
 *   and `Sec-Fetch-Site` for the no-cors requests that carry no Origin (fetch no-cors, <video src>);
 *   native players (ffplay, VLC, mpv) send neither;
 * - the path starts with the bridge's random per-run token (404 otherwise), which no page can guess;
 * - only live view and playback pass (403 otherwise): commands, talk and downloads go through the sdk.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface BridgeGuardConfig {
  token: string;
  /** The address the bridge listens on and its port. */
  host: string;
  port: number;
  /** Page origins allowed to read the stream (e.g. http://127.0.0.1:8080 for an mpegts.js page). */
  allowedOrigins: readonly string[];
}

export interface BridgeTarget {
  productId: string;
  deviceName: string;
  /** e.g. "ipc.flv" */
  path: string;
  /** with its leading "?" */
  search: string;
  /** The allowed Origin to echo in access-control-allow-origin, when the request carried one. */
  corsOrigin: string | undefined;
}

export type BridgeVerdict = { ok: true; target: BridgeTarget } | { ok: false; status: number; reason: string };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const PASSING_ACTIONS = new Set(['live', 'playback']);
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function newBridgeToken(): string {
  return randomBytes(18).toString('base64url');
}

function allowedHosts(cfg: BridgeGuardConfig): Set<string> {
  const hostPart = cfg.host.includes(':') && !cfg.host.startsWith('[') ? `[${cfg.host}]` : cfg.host;
  const hosts = new Set([`${hostPart}:${cfg.port}`.toLowerCase()]);
  // localhost always resolves to loopback, so it cannot be rebound; other names can.
  if (LOOPBACK_NAMES.has(cfg.host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${h}:${cfg.port}`);
  return hosts;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const refuse = (status: number, reason: string): BridgeVerdict => ({ ok: false, status, reason });

export function checkBridgeRequest(
  req: { method?: string; url?: string; headers: IncomingHttpHeaders },
  cfg: BridgeGuardConfig,
): BridgeVerdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts(cfg).has(host)) return refuse(421, `this bridge answers only at ${cfg.host}:${cfg.port}`);
  const origin = req.headers.origin;
  const originAllowed = origin !== undefined && cfg.allowedOrigins.includes(origin);
  if (origin !== undefined && !originAllowed) return refuse(403, `origin ${origin.slice(0, 100)} is not allowed`);
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'none' && fetchSite !== 'same-origin' && !originAllowed) {
    return refuse(403, `a ${fetchSite.slice(0, 20)} page may not use this bridge`);
  }
  if (req.method !== 'GET') return refuse(405, 'only GET');
  const url = new URL(req.url ?? '/', 'http://bridge');
  const [, token = '', productId = '', deviceName = '', ...rest] = url.pathname.split('/');
  if (!sameToken(token, cfg.token)) return refuse(404, 'unknown path: use the URL the bridge printed');
  const path = rest.join('/');
  if (!NAME.test(productId) || !NAME.test(deviceName) || !path) {
    return refuse(404, 'use GET /<token>/<productId>/<deviceName>/ipc.flv?action=live');
  }
  const action = url.searchParams.get('action') ?? '';
  if (path !== 'ipc.flv' || !PASSING_ACTIONS.has(action)) {
    return refuse(403, 'the bridge serves only action=live and action=playback (the sdk does the rest)');
  }
  return {
    ok: true,
    target: { productId, deviceName, path, search: url.search, corsOrigin: originAllowed ? origin : undefined },
  };
}
