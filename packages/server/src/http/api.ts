/**
 * The HTTP API. `/healthz` and `GET /api/server-info` (version and advertised STUN URLs, what an operator
 * checks after deploying) are open; every other `/api/*` request must carry a valid app signature over its
 * method, path and body (protocol/src/auth/app-signature.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeXp2pInfo, peekViewerToken, roleCovers, ROLES, signViewerToken, type Role } from '@xp2p/protocol';
import type { DeviceRecord } from '../accounts/records.js';
import { z } from 'zod';
import type { AppAuthenticator } from '../auth/app-authenticator.js';
import type { AppConfig } from '../config/schema.js';
import { HttpError, isHttpError } from '../errors.js';
import type { Hub } from '../signal/hub.js';
import { ClusterUnavailableError } from '../cluster/cluster.js';
import { clusterPresence } from '../signal/presence.js';
import { sendError, sendJson } from '../json-response.js';
import { readBody } from './read-body.js';
import { signatureFromHeaders, splitTarget } from '../auth/signature-fields.js';

export interface ApiContext {
  hub: Hub;
  authenticator: AppAuthenticator;
  /** the base URL put into every xp2pInfo so viewers know where to signal (public-url.ts) */
  url: (req: IncomingMessage) => string;
  /** what `GET /api/server-info` answers to this request */
  serverInfo: (req: IncomingMessage) => { version: string; stunUrls: string[] };
  /** the host a request's app signature must cover (signature-fields.ts: signedHostOf) */
  signedHost: (req: IncomingMessage) => string | undefined;
}

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
 * The answer for a device that does not exist and for another app's device alike: no name in it, so the
 * two are the same bytes and an app learns nothing about other tenants' devices.
 */
export const UNKNOWN_DEVICE = 'unknown device';

function parseJsonBody<T>(schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, `invalid body: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`);
  }
  return parsed.data;
}

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

/** Signs a viewer token for an online device and wraps it into an xp2pInfo (also used by the web app's sign-in). */
export async function issueXp2pInfo(
  ctx: ApiContext,
  req: IncomingMessage,
  device: DeviceRecord,
  grant: { appid: string; user: string; role: Role; account: boolean },
): Promise<{ xp2pInfo: string; expiresAt: number | undefined }> {
  const { productId, deviceName } = device;
  const online = await locateDevice(ctx, productId, deviceName);
  if (!online) throw new HttpError(409, `device ${productId}/${deviceName} is offline`);
  const token = await signViewerToken(
    device.secret,
    {
      appid: grant.appid,
      productId,
      deviceName,
      user: grant.user,
      role: grant.role,
      ...(grant.account ? { account: true as const } : {}),
    },
    { ttlSeconds: ctx.hub.tuning.tokenTtlSeconds },
  );
  ctx.hub.audit
    .record({
      appid: grant.appid,
      user: grant.user,
      productId,
      deviceName,
      action: 'xp2pinfo',
      address: req.socket.remoteAddress,
      detail: grant.role,
    })
    .catch((err: unknown) => ctx.hub.log(`audit write failed: ${(err as Error).message}`));
  const xp2pInfo = encodeXp2pInfo({
    payload: { v: 1, productId, deviceName, token, server: ctx.url(req) },
    deviceVersion: online.version,
    flags: '',
  });
  // expiresAt: unix seconds, the token's own `exp`
  return { xp2pInfo, expiresAt: peekViewerToken(token)?.exp };
}

/** A device on this node, else (in a cluster) on another one; the store being down is a 503, not "offline". */
async function locateDevice(
  ctx: ApiContext,
  productId: string,
  deviceName: string,
): Promise<{ version: string } | undefined> {
  const local = ctx.hub.registry.onlineDevice(productId, deviceName);
  if (local || !ctx.hub.cluster.enabled) return local;
  try {
    return await ctx.hub.cluster.findDevice(productId, deviceName);
  } catch (err) {
    if (err instanceof ClusterUnavailableError)
      throw new HttpError(503, 'the cluster store is unreachable, try again shortly');
    throw err;
  }
}

/** The calling app's own devices and their presence; other tenants' devices are not there. */
const getDevices: Route = async (ctx, app) => ({
  devices: await clusterPresence(await ctx.hub.accounts.devices(app.appid), ctx.hub.registry, ctx.hub.cluster),
});

const routes: Record<string, Partial<Record<string, Route>>> = {
  '/api/xp2pinfo': { POST: postXp2pInfo },
  '/api/devices': { GET: getDevices },
};

export function createRequestHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
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

async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const { path } = splitTarget(req.url);
  if (path === '/healthz') return sendJson(res, 200, { ok: true });
  if (path === '/api/server-info') {
    if (method === 'GET' || method === 'HEAD') return sendJson(res, 200, ctx.serverInfo(req));
    res.setHeader('allow', 'GET, HEAD');
    throw new HttpError(405, `${method} not allowed on ${path}`);
  }
  const methods = routes[path];
  if (!methods) throw new HttpError(404, `no route ${path}`);
  const route = methods[method];
  if (!route) {
    res.setHeader('allow', Object.keys(methods).join(', '));
    throw new HttpError(405, `${method} not allowed on ${path}`);
  }
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
