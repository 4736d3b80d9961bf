/**
 * The built-in web app's API (issue 12, the second way to an xp2pInfo): a person signs in with name and
 * password and the browser holds only a session cookie; the server hands that session xp2pInfo for the
 * devices shared with the user (with the role of the binding) and short signalling tickets
 * (auth/signal-ticket.ts) for the sdk's WebSockets. No app secret ever reaches the browser.
 *
 * Every body is schema-checked and size-limited; sign-in is rate-limited per address and per user name and
 * answers an unknown user and a wrong password with the same bytes; every state-changing route checks
 * Origin and the session's CSRF token (http/web-guard.ts). Owners' routes are in web-sharing.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DeviceRecord } from '../accounts/records.js';
import type { WebSession } from '../accounts/web-sessions.js';
import { issueSignalTicket } from '../auth/signal-ticket.js';
import { HttpError, methodNotAllowed, routeFor } from '../errors.js';
import { sendError, sendJson } from '../json-response.js';
import { KeyedTokenBuckets } from '../signal/keyed-buckets.js';
import { clusterPresence } from '../signal/presence.js';
import { issueXp2pInfo, parseJsonBody, UNKNOWN_DEVICE } from './api-common.js';
import { readBody } from './read-body.js';
import { checkCsrf, checkOrigin, sessionCookie, sessionOf, setSessionCookie } from './web-guard.js';
import { deviceBodySchema, sharingRoutes } from './web-sharing.js';
import type { WebApiOptions, WebCall, WebRoute } from './web-route.js';

export type { WebApiOptions } from './web-route.js';

export const WEB_API_PREFIX = '/api/web/';
/** The one answer to a refused sign-in, whether the name is unknown or the password wrong. */
export const SIGN_IN_REFUSED = 'wrong user name or password';
/** web API bodies are a few short strings */
const WEB_BODY_LIMIT = 2048;

const signInSchema = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();

export interface WebApi {
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void>;
  /** `GET /?token=…`: the one-time link signs the browser in and sends it to `/` (the URL bar loses the token). */
  signInByLink(req: IncomingMessage, res: ServerResponse, token: string): Promise<void>;
  /** True when the request carries a live session (the status page needs one). */
  signedIn(req: IncomingMessage): Promise<boolean>;
}

/** The signed-in user's devices: each with its role and whether it is online. */
async function listDevices({ o, session }: WebCall): Promise<unknown> {
  const { hub } = o.api;
  const bindings = await hub.accounts.bindingsOfUser(session.user);
  const devices = (await Promise.all(bindings.map((b) => hub.accounts.device(b.productId, b.deviceName)))).filter(
    (d): d is DeviceRecord => d !== undefined && d.appid === session.appid,
  );
  const status = await clusterPresence(devices, hub.registry, hub.cluster);
  const roleOf = new Map(bindings.map((b) => [`${b.productId}/${b.deviceName}`, b.role]));
  return { devices: status.map((d) => ({ ...d, role: roleOf.get(`${d.productId}/${d.deviceName}`) })) };
}

/** An xp2pInfo for a device shared with this user, with the role of the binding. */
async function postXp2pInfo({ o, session, body, req }: WebCall): Promise<unknown> {
  const { productId, deviceName } = parseJsonBody(deviceBodySchema, body);
  const { hub } = o.api;
  const [role, device] = await Promise.all([
    hub.accounts.roleOf(session.user, productId, deviceName),
    hub.accounts.device(productId, deviceName),
  ]);
  if (!role || !device || device.appid !== session.appid) throw new HttpError(404, UNKNOWN_DEVICE);
  return issueXp2pInfo(o.api, req, device, { appid: session.appid, user: session.user, role, account: true });
}

/** A signalling ticket for the sdk's WebSockets (minutes long; the page asks again for each connect). */
async function postTicket({ o, session, req }: WebCall): Promise<unknown> {
  const app = await o.api.hub.accounts.app(session.appid);
  if (!app) throw new HttpError(401, 'not signed in');
  const host = o.api.signedHost(req);
  const { ticket, expiresAt } = issueSignalTicket(app, session.user, o.api.hub.tuning.signalTicketTtlSeconds, {
    ...(host ? { host } : {}),
  });
  return { ticket, expiresAt, appid: app.appid };
}

async function signOut({ o, req, res }: WebCall): Promise<unknown> {
  const id = sessionCookie(req);
  if (id) await o.sessions.close(id);
  setSessionCookie(res, '', 0, o.secureCookies);
  return { signedOut: true };
}

const routes: Record<string, Partial<Record<string, WebRoute>>> = {
  session: {
    GET: { access: 'read', run: async ({ session }) => sessionView(session) },
  },
  'sign-out': { POST: { access: 'write', run: signOut } },
  devices: { GET: { access: 'read', run: listDevices } },
  xp2pinfo: { POST: { access: 'write', run: postXp2pInfo } },
  ticket: { POST: { access: 'write', run: postTicket } },
  ...sharingRoutes,
};

const sessionView = (s: WebSession) => ({ user: s.user, appid: s.appid, csrf: s.csrf, expiresAt: s.expiresAt });

export function createWebApi(o: WebApiOptions): WebApi {
  const { tuning } = o.api.hub;
  const byAddress = new KeyedTokenBuckets(tuning.signInBurstPerAddress, tuning.signInsPerSecondPerAddress);
  const byName = new KeyedTokenBuckets(tuning.signInBurstPerUser, tuning.signInsPerSecondPerUser);

  async function openSession(req: IncomingMessage, res: ServerResponse, user: { name: string; appid: string }) {
    const ttl = tuning.webSessionTtlSeconds;
    // a browser signing in again (maybe as someone else) leaves no older session behind
    const previous = sessionCookie(req);
    if (previous) await o.sessions.close(previous);
    const opened = await o.sessions.open(user.name, ttl);
    setSessionCookie(res, opened.id, ttl, o.secureCookies);
    o.api.hub.audit
      .record({ appid: user.appid, user: user.name, action: 'sign-in', address: o.clientAddress(req) })
      .catch((err: unknown) => o.api.hub.log(`audit write failed: ${(err as Error).message}`));
    return sessionView({ user: user.name, appid: user.appid, csrf: opened.csrf, expiresAt: opened.expiresAt });
  }

  async function signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkOrigin(req, o.trustProxy);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'sign-in takes application/json');
    }
    const { name, password } = parseJsonBody(signInSchema, await readBody(req, WEB_BODY_LIMIT));
    // per address first: one host trying many names is stopped before it costs a hash per name
    if (!byAddress.take(o.clientAddress(req)) || !byName.take(name.toLowerCase())) {
      res.setHeader('retry-after', '60');
      throw new HttpError(429, 'too many sign-in attempts, wait a minute and try again');
    }
    const user = await o.api.hub.accounts.checkPassword(name, password);
    if (!user) return sendError(res, 401, SIGN_IN_REFUSED);
    sendJson(res, 200, await openSession(req, res, user));
  }

  return {
    async handle(req, res, path, query) {
      const method = req.method ?? 'GET';
      const name = path.slice(WEB_API_PREFIX.length);
      if (name === 'sign-in') {
        if (method !== 'POST') throw methodNotAllowed(res, method, path, ['POST']);
        return signIn(req, res);
      }
      const route = routeFor(routes[name], method, path, res);
      if (route.access === 'write') checkOrigin(req, o.trustProxy);
      const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, WEB_BODY_LIMIT);
      const session = await sessionOf(req, o.sessions);
      if (!session) throw new HttpError(401, 'not signed in');
      if (route.access === 'write') checkCsrf(req, session);
      sendJson(res, 200, await route.run({ req, res, body, query, session, o }));
    },

    async signInByLink(req, res, token) {
      const name = await o.sessions.redeemSignInToken(token);
      const user = name ? await o.api.hub.accounts.user(name) : undefined;
      if (!user) throw new HttpError(403, 'this sign-in link was used already or has expired');
      await openSession(req, res, user);
      res.writeHead(303, { location: '/', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
      res.end();
    },

    async signedIn(req) {
      return (await sessionOf(req, o.sessions)) !== undefined;
    },
  };
}
