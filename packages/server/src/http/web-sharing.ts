/**
 * The owners' pages of the web app: who holds which role on a camera, sharing it with another user of the
 * same app, taking a role away, and the camera's audit log. Only an owner of the camera gets any of these;
 * a user with no role on it gets the answer of an unknown device (no enumeration).
 */
import { ROLES } from '@xp2p/protocol';
import { z } from 'zod';
import { AccountError } from '../accounts/account-errors.js';
import { HttpError } from '../errors.js';
import { parseJsonBody, UNKNOWN_DEVICE } from './api-common.js';
import type { WebCall, WebRoute } from './web-route.js';

const namePart = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/);
const userName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/);

export const deviceBodySchema = z.object({ productId: namePart, deviceName: namePart }).strict();
const shareSchema = z
  .object({ productId: namePart, deviceName: namePart, user: userName, role: z.enum(ROLES) })
  .strict();
const unshareSchema = z.object({ productId: namePart, deviceName: namePart, user: userName }).strict();

/** `?device=PRODUCT/NAME` of a read route. */
function deviceOfQuery(query: URLSearchParams): { productId: string; deviceName: string } {
  const parsed = deviceBodySchema.safeParse(
    Object.fromEntries(['productId', 'deviceName'].map((k, i) => [k, (query.get('device') ?? '').split('/')[i] ?? ''])),
  );
  if (!parsed.success) throw new HttpError(400, 'device must be PRODUCT/NAME');
  return parsed.data;
}

/** Passes only an owner of the device (of the session's own app). */
async function requireOwner({ o, session }: WebCall, d: { productId: string; deviceName: string }): Promise<void> {
  const { accounts } = o.api.hub;
  const [role, device] = await Promise.all([
    accounts.roleOf(session.user, d.productId, d.deviceName),
    accounts.device(d.productId, d.deviceName),
  ]);
  if (!role || !device || device.appid !== session.appid) throw new HttpError(404, UNKNOWN_DEVICE);
  if (role !== 'owner') throw new HttpError(403, 'only an owner of this camera may see or change its sharing');
}

const asHttp = (err: unknown): never => {
  if (err instanceof AccountError) throw new HttpError(err.status, err.message);
  throw err;
};

function audit(call: WebCall, action: string, d: { productId: string; deviceName: string }, detail: string): void {
  const { hub } = call.o.api;
  hub.audit
    .record({
      appid: call.session.appid,
      user: call.session.user,
      ...d,
      action,
      address: call.o.clientAddress(call.req),
      detail,
    })
    .catch((err: unknown) => hub.log(`audit write failed: ${(err as Error).message}`));
}

export const sharingRoutes: Record<string, Partial<Record<string, WebRoute>>> = {
  shares: {
    GET: {
      access: 'read',
      run: async (call) => {
        const d = deviceOfQuery(call.query);
        await requireOwner(call, d);
        return { shares: await call.o.api.hub.accounts.bindingsOfDevice(d.productId, d.deviceName) };
      },
    },
  },
  share: {
    POST: {
      access: 'write',
      run: async (call) => {
        const { user, role, ...d } = parseJsonBody(shareSchema, call.body);
        await requireOwner(call, d);
        // another app's user gets the answer of a user that does not exist (no enumeration across tenants)
        const target = await call.o.api.hub.accounts.user(user);
        if (!target || target.appid !== call.session.appid) throw new HttpError(404, `no user ${user} in this app`);
        const binding = await call.o.api.hub.accounts.share(d.productId, d.deviceName, user, role).catch(asHttp);
        audit(call, 'share', d, `${user} as ${role}`);
        return { shared: binding };
      },
    },
  },
  unshare: {
    POST: {
      access: 'write',
      run: async (call) => {
        const { user, ...d } = parseJsonBody(unshareSchema, call.body);
        await requireOwner(call, d);
        if (user === call.session.user) throw new HttpError(400, 'an owner cannot take their own role away here');
        await call.o.api.hub.accounts.unshare(d.productId, d.deviceName, user).catch(asHttp);
        audit(call, 'unshare', d, user);
        return { unshared: { user, ...d } };
      },
    },
  },
  audit: {
    GET: {
      access: 'read',
      run: async (call) => {
        const d = deviceOfQuery(call.query);
        await requireOwner(call, d);
        const entries = await call.o.api.hub.audit.list({ appid: call.session.appid, ...d, limit: 200 });
        return { entries };
      },
    },
  },
};
