/** What a route of the web API (web-api.ts, web-sharing.ts) is handed and how it says who may call it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSession, WebSessions } from '../accounts/web-sessions.js';
import type { ApiContext } from './api-common.js';

export interface WebApiOptions {
  api: ApiContext;
  sessions: WebSessions;
  /** the server speaks TLS: cookies get Secure */
  secureCookies: boolean;
  trustProxy: boolean;
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

/** `open`: no session needed; `read`: a session; `write`: a session, same Origin and the CSRF token. */
export type WebRoute = { access: 'read' | 'write'; run: (call: WebCall) => Promise<unknown> };
