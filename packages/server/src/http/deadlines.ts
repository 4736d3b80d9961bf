/**
 * Deadlines for slow HTTP clients. Every connection holds a socket, a file descriptor and parser state for
 * as long as the server lets it, so: headers must arrive within httpHeadersTimeoutMs (slowloris), a
 * request body within httpBodyTimeoutMs of its start, and a socket silent in both directions for
 * httpIdleTimeoutMs is closed. A publish (POST/PUT /live/NAME) is exempt from the body and idle deadlines:
 * its body is the live stream. WebSocket upgrades leave this server's deadlines (ws clears them).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ServerTuning } from '../defaults.js';
import { LIVE_PREFIX } from '../origin/live-routes.js';
import { splitTarget } from '../auth/signature-fields.js';

type Deadlines = Pick<ServerTuning, 'httpHeadersTimeoutMs' | 'httpBodyTimeoutMs' | 'httpIdleTimeoutMs'>;

/** How often Node checks headersTimeout (it is not a per-connection timer). */
export function connectionsCheckingInterval(t: Deadlines): number {
  return Math.max(100, Math.min(1_000, Math.floor(t.httpHeadersTimeoutMs / 2)));
}

export function applyServerDeadlines(server: Server, t: Deadlines): void {
  server.headersTimeout = t.httpHeadersTimeoutMs;
  // No whole-request deadline: a publish lasts as long as its stream. Bodies get theirs per request below.
  server.requestTimeout = 0;
  server.timeout = t.httpIdleTimeoutMs; // idle socket (no byte either way) → destroyed
  server.keepAliveTimeout = Math.min(server.keepAliveTimeout, t.httpIdleTimeoutMs);
}

export function isPublishRequest(req: IncomingMessage): boolean {
  if (req.method !== 'POST' && req.method !== 'PUT') return false;
  const { path } = splitTarget(req.url);
  return path.startsWith(LIVE_PREFIX) && !path.slice(LIVE_PREFIX.length).includes('/');
}

export function withRequestDeadlines(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  t: Deadlines,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (isPublishRequest(req)) {
      req.socket.setTimeout(0); // a publisher may pause; its stream ends when the connection does
      return handler(req, res);
    }
    if (!req.complete) {
      const timer = setTimeout(() => {
        if (!req.complete) req.socket.destroy();
      }, t.httpBodyTimeoutMs);
      const clear = () => clearTimeout(timer);
      req.once('end', clear);
      res.once('close', clear);
    }
    handler(req, res);
  };
}
