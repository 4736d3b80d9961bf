/**
 * The server's web API (`/api/web/*`), the only way this app gets anything: a session cookie the page's
 * scripts cannot read (HttpOnly), the session's CSRF token in a header on every state-changing call (kept
 * in memory only, fetched again from `/api/web/session` after a reload), and short-lived signalling
 * tickets for the sdk. The app never holds an app secret. Always this page's own origin: a `?server=`
 * pointing elsewhere is ignored (a link must not send a signed-in browser's requests to another host).
 * Every answer is schema-checked before use.
 */
import * as z from 'zod/mini';
import { ApiError } from './sdk.js';

/** The signalling server: this page's origin, always. */
export const serverUrl = (): string => location.origin;

const sessionSchema = z.object({ user: z.string(), appid: z.string(), csrf: z.string(), expiresAt: z.number() });
export type WebSession = z.infer<typeof sessionSchema>;

const errorSchema = z.object({ error: z.object({ status: z.number(), message: z.string() }) });

let csrf: string | undefined;
let sessionEnded: () => void = () => {};

/** Called when the server says this browser is no longer signed in (expired, signed out elsewhere, user removed). */
export function onSessionEnded(listener: () => void): void {
  sessionEnded = listener;
}

async function call<T>(schema: z.ZodMiniType<T>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${serverUrl()}/api/web/${path}`, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(method === 'POST' && csrf ? { 'x-xp2p-csrf': csrf } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new ApiError(0, `${serverUrl()}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    if (res.status === 401 && path !== 'sign-in' && path !== 'session') sessionEnded();
    const refusal = errorSchema.safeParse(json);
    throw new ApiError(res.status, refusal.success ? refusal.data.error.message : `server answered ${res.status}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, `the server's answer to ${path} is not what this app expects`);
  return parsed.data;
}

/** Signs in with name and password; the server sets the session cookie. */
export async function signIn(name: string, password: string): Promise<WebSession> {
  const s = await call(sessionSchema, 'POST', 'sign-in', { name, password });
  csrf = s.csrf;
  return s;
}

/** The session this browser already has (cookie), or undefined. */
export async function currentSession(): Promise<WebSession | undefined> {
  try {
    const s = await call(sessionSchema, 'GET', 'session');
    csrf = s.csrf;
    return s;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    throw err;
  }
}

export async function signOut(): Promise<void> {
  await call(z.object({ signedOut: z.boolean() }), 'POST', 'sign-out', {}).catch(() => undefined);
  csrf = undefined;
}

/** A fresh signalling ticket: the sdk calls this for every socket it opens. */
export async function signalTicket(): Promise<string> {
  return (await call(z.object({ ticket: z.string() }), 'POST', 'ticket', {})).ticket;
}

export interface CameraRef {
  productId: string;
  deviceName: string;
}

const roleSchema = z.enum(['viewer', 'operator', 'owner']);
export type Role = z.infer<typeof roleSchema>;

const cameraSchema = z.object({
  productId: z.string(),
  deviceName: z.string(),
  online: z.boolean(),
  version: z.optional(z.string()),
  viewers: z.number(),
  role: roleSchema,
});
export type CameraStatus = z.infer<typeof cameraSchema>;

/** The cameras shared with the signed-in user, with their role on each. */
export async function listCameras(): Promise<CameraStatus[]> {
  return (await call(z.object({ devices: z.array(cameraSchema) }), 'GET', 'devices')).devices;
}

/** A fresh xp2pInfo for a camera shared with this user. */
export async function xp2pInfoFor(camera: CameraRef): Promise<string> {
  const body = { productId: camera.productId, deviceName: camera.deviceName };
  return (await call(z.object({ xp2pInfo: z.string() }), 'POST', 'xp2pinfo', body)).xp2pInfo;
}

const shareSchema = z.object({ user: z.string(), productId: z.string(), deviceName: z.string(), role: roleSchema });
export type Share = z.infer<typeof shareSchema>;

const deviceQuery = (c: CameraRef) => `device=${encodeURIComponent(`${c.productId}/${c.deviceName}`)}`;

/** Owners only: who holds which role on a camera. */
export async function listShares(camera: CameraRef): Promise<Share[]> {
  return (await call(z.object({ shares: z.array(shareSchema) }), 'GET', `shares?${deviceQuery(camera)}`)).shares;
}

export async function share(camera: CameraRef, user: string, role: Role): Promise<void> {
  await call(z.object({ shared: shareSchema }), 'POST', 'share', { ...camera, user, role });
}

export async function unshare(camera: CameraRef, user: string): Promise<void> {
  await call(z.object({ unshared: z.object({ user: z.string() }) }), 'POST', 'unshare', { ...camera, user });
}

const auditSchema = z.object({
  id: z.number(),
  at: z.string(),
  action: z.string(),
  user: z.optional(z.string()),
  address: z.optional(z.string()),
  detail: z.optional(z.string()),
});
export type AuditEntry = z.infer<typeof auditSchema>;

/** Owners only: the camera's audit log, newest first. */
export async function auditLog(camera: CameraRef): Promise<AuditEntry[]> {
  return (await call(z.object({ entries: z.array(auditSchema) }), 'GET', `audit?${deviceQuery(camera)}`)).entries;
}
