/**
 * The one request handler of the HTTP server: the 1vN origin under `/live/`, the open stream figures under
 * `/api/streams`, the operator endpoints (`/metrics`, `/readyz`), the app-signed API (`/api/*`, `/healthz`),
 * and everything else to the web app (or the status page).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, isHttpError } from '../errors.js';
import { handleLive, LIVE_PREFIX, type LiveRoutesContext } from '../origin/live-routes.js';
import type { Tracker } from '../tracker/tracker.js';
import type { StreamMirrors } from '../cluster/stream-mirror.js';
import type { PulledStreams } from '../origin/pulled-streams.js';
import type { CameraStreams } from '../origin/camera-streams.js';
import { isCameraStreamName } from '@xp2p/protocol';
import { sendError } from '../json-response.js';
import { handleOps, handleWeb, isOpsPath, type OpsContext } from './ops-routes.js';
import { splitTarget } from '../auth/signature-fields.js';
import { handleStreamsApi, isStreamsApiPath, type ClusterStreams } from './streams-api.js';

export interface RouterContext {
  live: LiveRoutesContext;
  tracker: Tracker;
  /** cluster: streams published on other nodes, mirrored here when first asked for */
  mirrors?: StreamMirrors;
  /** streams the origin pulls from a source, started by their first request */
  pulls?: PulledStreams;
  /** cluster: the other nodes' figures and streams, summed into the stream stats */
  clusterStreams?: ClusterStreams;
  /** full cameras' 1vN streams: their publishes need the camera's credential, and end when nobody watches */
  cameraStreams?: CameraStreams;
  ops: OpsContext;
  /** the signed API (http/api.ts) */
  api: (req: IncomingMessage, res: ServerResponse) => void;
  /** `GET /?token=…`: the one-time sign-in link of the web app (http/web-api.ts) */
  signInByLink?: (req: IncomingMessage, res: ServerResponse, token: string) => Promise<void>;
}

const isApiPath = (path: string): boolean => path.startsWith('/api/') || path === '/api' || path === '/healthz';

export function createRouter(ctx: RouterContext): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (req: IncomingMessage, res: ServerResponse, path: string, err: unknown): void => {
    if (res.headersSent) return void res.destroy();
    if (isHttpError(err)) {
      // A refused publish body may still be streaming in: close the connection rather than read it.
      if (req.method === 'POST' || req.method === 'PUT') res.setHeader('connection', 'close');
      ctx.ops.metrics.refused('http', err.status);
      return sendError(res, err.status, err.message);
    }
    ctx.ops.metrics.error('http');
    ctx.live.log(`http ${req.method} ${path}: internal error: ${(err as Error)?.stack ?? String(err)}`);
    sendError(res, 500, 'internal server error');
  };
  return (req, res) => {
    const { path, query } = splitTarget(req.url);
    const live = path.startsWith(LIVE_PREFIX);
    if (!live && !isStreamsApiPath(path)) {
      if (isOpsPath(path)) return void handleOps(ctx.ops, req, res, path).catch((err) => fail(req, res, path, err));
      if (isApiPath(path)) return ctx.api(req, res);
      const token = path === '/' && req.method === 'GET' ? query.get('token') : null;
      if (token !== null && ctx.signInByLink) {
        return void ctx.signInByLink(req, res, token).catch((err) => fail(req, res, path, err));
      }
      return void handleWeb(ctx.ops, req, res, path).catch((err) => fail(req, res, path, err));
    }
    try {
      if (!live) {
        return void handleStreamsApi(ctx.live.origin, ctx.tracker, req, res, path, ctx.clusterStreams).catch((err) =>
          fail(req, res, path, err),
        );
      }
      const parts = path.slice(LIVE_PREFIX.length).split('/');
      const name = parts[0]!.replace(/\.flv$/, '');
      const publish = parts.length === 1 && (req.method === 'POST' || req.method === 'PUT');
      // A full camera's 1vN stream: its camera's credential is checked before the body is read.
      const cameras = ctx.cameraStreams;
      if (cameras && publish && isCameraStreamName(name)) {
        return void cameras
          .authorize(name, req)
          .then((device) => {
            handleLive(ctx.live, req, res, path, query, true);
            cameras.watch(name, device, res);
          })
          .catch((err) => fail(req, res, path, err));
      }
      // A publish of a name another node is publishing: refused like a second publisher on one node.
      if (ctx.mirrors?.clustered && parts.length === 1 && (req.method === 'POST' || req.method === 'PUT')) {
        return void ctx.mirrors
          .publishedElsewhere(name)
          .then((node) => {
            if (node) throw new HttpError(409, `stream ${name} is already being published (on node ${node})`);
            handleLive(ctx.live, req, res, path, query);
          })
          .catch((err) => fail(req, res, path, err));
      }
      // A read of a pulled stream nobody watches yet: start pulling, answer once it has media (else 404).
      if (ctx.pulls?.wanted(name) && (req.method === 'GET' || req.method === 'HEAD')) {
        return void ctx.pulls
          .ensure(name)
          .then(() => handleLive(ctx.live, req, res, path, query))
          .catch((err) => fail(req, res, path, err));
      }
      // A read of a stream published on another node: mirror it here first (it answers 404 if none has it).
      if (ctx.mirrors?.wanted(name) && (req.method === 'GET' || req.method === 'HEAD')) {
        return void ctx.mirrors
          .ensure(name)
          .then(
            () => handleLive(ctx.live, req, res, path, query),
            (err: unknown) => {
              throw new HttpError(503, `cluster store unreachable: ${(err as Error).message}`);
            },
          )
          .catch((err) => fail(req, res, path, err));
      }
      handleLive(ctx.live, req, res, path, query);
    } catch (err) {
      fail(req, res, path, err);
    }
  };
}
