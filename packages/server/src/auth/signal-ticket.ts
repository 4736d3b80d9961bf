/**
 * Signalling tickets: what a browser opens its viewer and tracker WebSockets with instead of an app
 * secret. The server issues one to a signed-in web session (http/web-api.ts); it names the app and the
 * user, lives minutes (SERVER_DEFAULTS.signalTicketTtlSeconds), and is an HMAC with the app's own secret,
 * so every node that can read the accounts database checks it without shared state, and a ticket made
 * for one app never verifies as another's. Like an app signature it names the host name it was issued for
 * (the page's server; port not included), and another host refuses it. A socket opened with a ticket may
 * only present viewer tokens issued to that ticket's user (signal/viewer-endpoint.ts). A ticket opens one
 * socket: its nonce goes into the replay cache of app signatures (cluster-wide), so a ticket read from a
 * proxy's access log or a browser's history opens nothing (signal/upgrade.ts).
 *
 * Wire form: `t1.<payload>.<mac>`, payload = base64url(JSON {appid, user, exp, nonce, host?}) with exp in
 * unix seconds and nonce 8-64 base64url characters, mac = base64url(HMAC-SHA256(appSecretKey,
 * "xp2p-signal-ticket\n" + payload)). Without `host` (a ticket an integrator's backend minted for any of its
 * servers) any host takes it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { signedHostName } from '@xp2p/protocol';
import { z } from 'zod';
import type { AppConfig } from '../config/schema.js';

const CONTEXT = 'xp2p-signal-ticket\n';
/** bounds what is parsed at all: a real ticket is well under this */
export const MAX_TICKET_CHARS = 512;

const payloadSchema = z
  .object({
    appid: z.string().min(1).max(64),
    user: z.string().min(1).max(128),
    exp: z.number().int().positive(),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    host: z.string().min(1).max(255).optional(),
  })
  .strict();

/** What checking a ticket found: the app and user it speaks for, or why it was refused. */
export type TicketCheck =
  { ok: true; app: AppConfig; user: string; exp: number; nonce: string } | { ok: false; status: 401; message: string };

const mac = (secret: string, payload: string): Buffer =>
  createHmac('sha256', secret)
    .update(CONTEXT + payload)
    .digest();

/** A ticket for `user` of `app` on `host` (the Host the page reached the server by), valid `ttlSeconds`. */
export function issueSignalTicket(
  app: Pick<AppConfig, 'appid' | 'appSecretKey'>,
  user: string,
  ttlSeconds: number,
  o: { host?: string; nowMs?: number } = {},
): { ticket: string; expiresAt: number } {
  const exp = Math.floor((o.nowMs ?? Date.now()) / 1000) + ttlSeconds;
  const host = o.host ? { host: signedHostName(o.host) } : {};
  const nonce = randomBytes(16).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ appid: app.appid, user, exp, nonce, ...host })).toString('base64url');
  return { ticket: `t1.${payload}.${mac(app.appSecretKey, payload).toString('base64url')}`, expiresAt: exp };
}

/**
 * Checks a ticket: well formed, for an app that exists, made with that app's secret, for the host it is
 * presented to (`host`: the upgrade's signed host), not expired. Every refusal but expiry and host has one
 * message, so a caller learns nothing about which apps exist.
 */
export async function verifySignalTicket(
  ticket: string,
  appById: (appid: string) => Promise<AppConfig | undefined>,
  host: string | undefined,
  nowMs: number = Date.now(),
): Promise<TicketCheck> {
  const bad: TicketCheck = { ok: false, status: 401, message: 'invalid signalling ticket' };
  if (ticket.length > MAX_TICKET_CHARS) return bad;
  const [version, payload, given, extra] = ticket.split('.');
  if (version !== 't1' || !payload || !given || extra !== undefined) return bad;
  let claims: z.infer<typeof payloadSchema>;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return bad;
    claims = parsed.data;
  } catch {
    return bad;
  }
  const app = await appById(claims.appid);
  const expected = mac(app?.appSecretKey ?? 'no such app', payload);
  const actual = Buffer.from(given, 'base64url');
  if (!app || actual.length !== expected.length || !timingSafeEqual(actual, expected)) return bad;
  if (claims.host !== undefined && (!host || signedHostName(host) !== claims.host)) {
    return { ok: false, status: 401, message: 'signalling ticket was issued for another host' };
  }
  if (claims.exp * 1000 <= nowMs) {
    return { ok: false, status: 401, message: 'signalling ticket has expired, ask for a new one' };
  }
  return { ok: true, app, user: claims.user, exp: claims.exp, nonce: claims.nonce };
}
