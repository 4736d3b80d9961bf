/**
 * What stands between a browser and the web API (http/web-api.ts): the session cookie (HttpOnly,
 * SameSite=Strict, Secure under TLS, so page scripts never see it and other sites' requests never carry
 * it), the Origin check (a state-changing request from another origin is refused even if a browser sent
 * the cookie), and the per-session CSRF token every state-changing request carries in a header (OWASP's
 * synchronizer token pattern: the page learns it from a same-origin read a foreign page cannot make).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSession, WebSessions } from '../accounts/web-sessions.js';
import { HttpError } from '../errors.js';

/** the session cookie's name */
export const SESSION_COOKIE = 'xp2p_session';
/** the header a state-changing web request carries its session's CSRF token in */
export const CSRF_HEADER = 'x-xp2p-csrf';

/** The session cookie's value, if the request carries exactly one well-formed one. */
export function sessionCookie(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SESSION_COOKIE}=`))
    .map((part) => part.slice(SESSION_COOKIE.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

/** Set-Cookie for a new session, or (maxAgeSeconds 0) the one that deletes it. */
export function setSessionCookie(res: ServerResponse, id: string, maxAgeSeconds: number, secure: boolean): void {
  const flags = [`Path=/`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (secure) flags.push('Secure');
  res.setHeader('set-cookie', `${SESSION_COOKIE}=${id}; ${flags.join('; ')}`);
}

/** The signed-in session of this request, or undefined. */
export async function sessionOf(req: IncomingMessage, sessions: WebSessions): Promise<WebSession | undefined> {
  const id = sessionCookie(req);
  return id ? sessions.find(id) : undefined;
}

/**
 * Refuses (403) a request whose Origin names another host than the one it was sent to. Browsers send
 * Origin with every POST; a request without one (a program, not a page) passes to the CSRF check.
 */
export function checkOrigin(req: IncomingMessage, trustProxy: boolean): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const forwarded = trustProxy ? req.headers['x-forwarded-host'] : undefined;
  const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() ?? req.headers.host;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (!host || originHost !== host) throw new HttpError(403, 'cross-origin request refused');
}

/** Refuses (403) a state-changing request without this session's CSRF token in its header. */
export function checkCsrf(req: IncomingMessage, session: WebSession): void {
  const given = req.headers[CSRF_HEADER];
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(session.csrf);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'missing or wrong CSRF token');
}
