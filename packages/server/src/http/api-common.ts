/**
 * What both ways to an xp2pInfo share (issue 12): the app-signed API (api.ts) and the web app's session API
 * (web-api.ts) issue the same viewer token, after their own checks of who may have it.
 */
import type { IncomingMessage } from 'node:http';
import { encodeXp2pInfo, peekViewerToken, signViewerToken, type Role } from '@xp2p/protocol';
import { z } from 'zod';
import type { DeviceRecord } from '../accounts/records.js';
import { ClusterUnavailableError } from '../cluster/cluster.js';
import { HttpError } from '../errors.js';
import type { Hub } from '../signal/hub.js';
import type { AppAuthenticator } from '../auth/app-authenticator.js';

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

/**
 * The answer for a device that does not exist and for another app's device alike: no name in it, so the
 * two are the same bytes and an app learns nothing about other tenants' devices.
 */
export const UNKNOWN_DEVICE = 'unknown device';

export function parseJsonBody<T>(schema: z.ZodType<T>, body: Buffer): T {
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
