/**
 * The one request handler of the HTTP server: the 1vN origin under `/live/`, the open stream figures under
 * `/api/streams`, and everything else to the app-signed API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHttpError } from '../errors.js';
import { handleLive, LIVE_PREFIX, type LiveRoutesContext } from '../origin/live-routes.js';
import type { Tracker } from '../tracker/tracker.js';
import { sendError } from './json-response.js';
import { splitTarget } from './signature-fields.js';
import { handleStreamsApi, isStreamsApiPath } from './streams-api.js';

export interface RouterContext {
  live: LiveRoutesContext;
  tracker: Tracker;
  /** the signed API (http/api.ts) */
  api: (req: IncomingMessage, res: ServerResponse) => void;
}

export function createRouter(ctx: RouterContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const { path, query } = splitTarget(req.url);
    const live = path.startsWith(LIVE_PREFIX);
    if (!live && !isStreamsApiPath(path)) return ctx.api(req, res);
    try {
      if (live) handleLive(ctx.live, req, res, path, query);
      else handleStreamsApi(ctx.live.origin, ctx.tracker, req, res, path);
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      if (isHttpError(err)) {
        // A refused publish body may still be streaming in: close the connection rather than read it.
        if (req.method === 'POST' || req.method === 'PUT') res.setHeader('connection', 'close');
        return sendError(res, err.status, err.message);
      }
      ctx.live.log(`http ${req.method} ${path}: internal error: ${(err as Error)?.stack ?? String(err)}`);
      sendError(res, 500, 'internal server error');
    }
  };
}
