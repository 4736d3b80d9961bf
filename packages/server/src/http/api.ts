/**
 * The HTTP API. `/healthz` and `GET /api/server-info` (version and advertised STUN URLs, what an operator
 * checks after deploying) are open; every other `/api/*` request must carry a valid app signature over its
 * method, path and body (protocol/src/auth/app-signature.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { roleCovers, ROLES } from '@xp2p/protocol';
import { z } from 'zod';
import type { AppConfig } from '../config/schema.js';
import { HttpError, isHttpError, methodNotAllowed, routeFor } from '../errors.js';
import { clusterPresence } from '../signal/presence.js';
import { sendError, sendJson } from '../json-response.js';
import { readBody } from './read-body.js';
import { signatureFromHeaders, splitTarget } from '../auth/signature-fields.js';
import { issueXp2pInfo, parseJsonBody, UNKNOWN_DEVICE, type ApiContext } from './api-common.js';
import { WEB_API_PREFIX, type WebApi } from './web-api.js';

export { issueXp2pInfo, UNKNOWN_DEVICE, type ApiContext } from './api-common.js';

type Route = (ctx: ApiContext, app: AppConfig, body: Buffer, req: IncomingMessage) => Promise<unknown> | unknown;

const xp2pInfoRequestSchema = z.object({
  productId: z.string().min(1).max(64),
  deviceName: z.string().min(1).max(64),
  /**
   * Who the viewer is, in the app's own words. Default `app`, role `owner`: a caller holding the app secret
   * already has every power over its devices (the Node sdk's `init({appParams})` path asks this way).
   */
  user: z
    .string()
    .regex(/^[A-Za-z0-9_.@:-]{1,128}$/)
    .default('app'),
  role: z.enum(ROLES).default('owner'),
});

/**
 * Issues an xp2pInfo for one online device of the calling app, with a viewer token naming the user and role.
 * Another app's device gets the very answer of a device that does not exist (no enumeration across tenants).
 * A `user` that is an account of this app (a web app user) gets at most the role their binding gives.
 */
const postXp2pInfo: Route = async (ctx, app, body, req) => {
  const { productId, deviceName, user, role } = parseJsonBody(xp2pInfoRequestSchema, body);
  const found = await ctx.hub.accounts.grantLookup(productId, deviceName, user);
  if (!found || found.device.appid !== app.appid) throw new HttpError(404, UNKNOWN_DEVICE);
  const account = found.userAppid === app.appid;
  if (account && (!found.role || !roleCovers(found.role, role))) {
    throw new HttpError(403, `${user} does not hold ${role} on this device`);
  }
  return issueXp2pInfo(ctx, req, found.device, { appid: app.appid, user, role, account });
};

/** The calling app's own devices and their presence; other tenants' devices are not there. */
const getDevices: Route = async (ctx, app) => ({
  devices: await clusterPresence(await ctx.hub.accounts.devices(app.appid), ctx.hub.registry, ctx.hub.cluster),
});

const routes: Record<string, Partial<Record<string, Route>>> = {
  '/api/xp2pinfo': { POST: postXp2pInfo },
  '/api/devices': { GET: getDevices },
};

export function createRequestHandler(
  ctx: ApiContext,
  web?: WebApi,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res, web).catch((err: unknown) => {
      if (isHttpError(err)) {
        // A refused body may still be streaming in: close the connection rather than read it.
        if (err.status === 413) res.setHeader('connection', 'close');
        ctx.hub.metrics.refused('http', err.status);
        return sendError(res, err.status, err.message);
      }
      ctx.hub.metrics.error('http');
      ctx.hub.log(
        `http ${req.method} ${splitTarget(req.url).path}: internal error: ${(err as Error)?.stack ?? String(err)}`,
      );
      if (!res.headersSent) sendError(res, 500, 'internal server error');
    });
  };
}

async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, web?: WebApi): Promise<void> {
  const method = req.method ?? 'GET';
  const { path, query } = splitTarget(req.url);
  if (path === '/healthz') return sendJson(res, 200, { ok: true });
  // the web app's routes: a session cookie, never an app signature
  if (web && path.startsWith(WEB_API_PREFIX)) return web.handle(req, res, path, query);
  if (path === '/api/server-info') {
    if (method === 'GET' || method === 'HEAD') return sendJson(res, 200, ctx.serverInfo(req));
    throw methodNotAllowed(res, method, path, ['GET', 'HEAD']);
  }
  const route = routeFor(routes[path], method, path, res);
  const body = await readBody(req, ctx.hub.tuning.maxBodyBytes);
  const auth = await ctx.authenticator.verify(signatureFromHeaders(req.headers), {
    method,
    host: ctx.signedHost(req),
    path,
    body,
  });
  if (!auth.ok) throw new HttpError(auth.status, auth.message);
  sendJson(res, 200, await route(ctx, auth.app, body, req));
}
