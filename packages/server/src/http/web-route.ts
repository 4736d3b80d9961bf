/** What a route of the web API (web-api.ts, web-sharing.ts) is handed and how it says who may call it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSession, WebSessions } from '../accounts/web-sessions.js';
import type { ApiContext } from './api-common.js';

/** What the web API runs on. */
export interface WebApiOptions {
  /** the app API's context: the hub (accounts, audit, tuning), the xp2pInfo base URL, the signed host */
  api: ApiContext;
  sessions: WebSessions;
  /** the server is reached over TLS: cookies get Secure */
  secureCookies: boolean;
  /** behind a proxy: Origin is checked against X-Forwarded-Host */
  trustProxy: boolean;
  /** the client's address (trust-proxy aware): sign-in rate limits and the audit log */
  clientAddress: (req: IncomingMessage) => string;
}

/** What a web route is handed: the request, its parsed body, the signed-in session. */
export interface WebCall {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  query: URLSearchParams;
  session: WebSession;
  o: WebApiOptions;
}

/**
 * `read`: a signed-in session; `write` (state-changing): a session, the same Origin and the session's CSRF
 * token. Sign-in itself (no session yet) is handled apart, in web-api.ts.
 */
export type WebRoute = { access: 'read' | 'write'; run: (call: WebCall) => Promise<unknown> };
