/**
 * Open operator endpoints: `/metrics` (Prometheus text), `/readyz` (200 only while this node should get
 * traffic: listening, not draining, and in a cluster with Redis reachable), and `/` (the web app, or a
 * status page when none is configured). `/healthz` (the process is alive) stays in the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, methodNotAllowed } from '../errors.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { StaticFiles } from '../web/static-files.js';
import { sendSignInNeeded, sendStatusPage, type StatusSnapshot } from '../web/status-page.js';
import { sendJson } from '../json-response.js';

export const METRICS_PATH = '/metrics';
export const READY_PATH = '/readyz';

export interface OpsContext {
  metrics: ServerMetrics;
  readiness: () => { ready: boolean; reasons: string[] };
  status: () => Promise<StatusSnapshot>;
  web: StaticFiles | undefined;
  /** the request carries a web app sign-in: the status page names cameras, so it needs one */
  signedIn?: (req: IncomingMessage) => Promise<boolean>;
}

export const isOpsPath = (path: string): boolean => path === METRICS_PATH || path === READY_PATH;

function onlyGet(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return req.method === 'HEAD';
  throw methodNotAllowed(res, req.method, path, ['GET', 'HEAD']);
}

export async function handleOps(
  ctx: OpsContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const head = onlyGet(req, res, path);
  if (path === METRICS_PATH) {
    const { contentType, body } = await ctx.metrics.text();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(head ? undefined : body);
    return;
  }
  const { ready, reasons } = ctx.readiness();
  sendJson(res, ready ? 200 : 503, ready ? { ready: true } : { ready: false, reasons });
}

/** Anything outside the API: the web app's files, or the status page at `/`. */
export async function handleWeb(
  ctx: OpsContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  if (ctx.web && (await ctx.web.serve(req, res, path))) return;
  if (!ctx.web && (path === '/' || path === '/index.html')) {
    const head = onlyGet(req, res, path);
    if (ctx.signedIn && !(await ctx.signedIn(req))) return sendSignInNeeded(res, head);
    return sendStatusPage(res, await ctx.status(), head);
  }
  throw new HttpError(404, `no route ${path}`);
}
