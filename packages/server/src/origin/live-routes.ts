/**
 * The origin's HTTP routes under `/live/` (layout in protocol/src/swarm/chunk-meta.ts). Reads are open (a
 * stream is public to whoever knows its name, like any HTTP-FLV server); publishing needs the publish key.
 * Init and chunk URLs are immutable, so any HTTP cache or CDN can sit in front of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { streamNameSchema } from '@xp2p/protocol';
import type { ServerTuning } from '../defaults.js';
import { HttpError, methodNotAllowed } from '../errors.js';
import type { StoredChunk, StoredInit } from './chunk-window.js';
import { serveFeed } from './feed.js';
import { serveFlv } from './flv-viewer.js';
import type { LiveStream } from './live-stream.js';
import type { Origin } from './origin.js';
import { handlePublish } from './publish-endpoint.js';
import { serveStart } from './start-route.js';
import type { ReaderBudget, ReaderLease } from './reader-budget.js';

export const LIVE_PREFIX = '/live/';
/** Sent by another cluster node fetching a part for its mirror (cluster/stream-mirror.ts). */
export const MIRROR_HEADER = 'x-xp2p-mirror';

export interface LiveRoutesContext {
  origin: Origin;
  publishKey: string;
  tuning: ServerTuning;
  log: (line: string) => void;
  /** caps HTTP-FLV viewers and feed readers and their queued bytes (none: unbounded) */
  readers?: ReaderBudget;
}

function admitReader(ctx: LiveRoutesContext): ReaderLease | undefined {
  if (!ctx.readers) return undefined;
  const lease = ctx.readers.admit();
  if (!lease) throw new HttpError(503, `this node serves at most ${ctx.readers.maxReaders} stream readers`);
  return lease;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const INIT_FILE = /^init-(\d{1,9})\.flv$/;
const CHUNK_FILE = /^chunk-(\d{1,12})\.bin$/;

const validName = (name: string): boolean => streamNameSchema.safeParse(name).success;

function notLive(name: string): HttpError {
  return new HttpError(404, `stream ${name} is not live`);
}

function allow(res: ServerResponse, methods: string, method: string, path: string): never {
  throw methodNotAllowed(res, method, path, [methods]);
}

/** Handles one `/live/...` request; throws HttpError for refusals (the caller answers them as JSON). */
export function handleLive(
  ctx: LiveRoutesContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  /** a camera stream's publish whose camera credential camera-streams.ts checked */
  cameraPublish = false,
): void {
  const method = req.method ?? 'GET';
  const parts = path.slice(LIVE_PREFIX.length).split('/');
  const [first = '', second, third] = parts;

  if (parts.length === 1) {
    if (method === 'POST' || method === 'PUT') {
      if (!validName(first)) throw new HttpError(400, `invalid stream name "${first.slice(0, 80)}"`);
      return handlePublish(
        { origin: ctx.origin, publishKey: ctx.publishKey, maxTagBytes: ctx.tuning.publishMaxTagBytes, log: ctx.log },
        first,
        query.get('key'),
        req,
        res,
        cameraPublish,
      );
    }
    if (!first.endsWith('.flv')) allow(res, 'POST, PUT', method, path);
    if (method !== 'GET') allow(res, 'GET', method, path);
    const stream = liveStream(ctx, first.slice(0, -'.flv'.length));
    return serveFlv(stream, res, {
      count: (n) => ctx.origin.countSent(stream.name, n),
      maxBacklogBytes: ctx.tuning.flvViewerMaxBacklogBytes,
      lease: admitReader(ctx),
    });
  }

  if (method !== 'GET') allow(res, 'GET', method, path);
  if (parts.length === 2 && second === 'manifest.json') {
    const manifest = knownStream(ctx, first).manifest();
    if (!manifest) throw notLive(first);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
      'access-control-allow-origin': '*',
    });
    res.end(JSON.stringify(manifest));
    return;
  }
  if (parts.length === 2 && second === 'start') {
    const stream = liveStream(ctx, first);
    return serveStart(stream, query.get('lead'), res, (n) => ctx.origin.countSent(stream.name, n));
  }
  if (parts.length === 2 && second === 'feed') {
    const stream = knownStream(ctx, first);
    return serveFeed(stream, res, ctx.tuning.flvViewerMaxBacklogBytes, admitReader(ctx));
  }
  if (parts.length === 3 && second !== undefined && third !== undefined) {
    const init = INIT_FILE.exec(third);
    const chunk = CHUNK_FILE.exec(third);
    if (init || chunk) {
      const stream = streamOfEpoch(ctx, first, second);
      if (init) return servePart(ctx, req, res, stream.name, initPart(stream, Number(init[1])), 'video/x-flv');
      return servePart(ctx, req, res, stream.name, chunkPart(stream, Number(chunk![1])), 'application/octet-stream');
    }
  }
  throw new HttpError(404, `no route ${path}`);
}

/** A stream that is live right now (HTTP-FLV starts only there). */
function liveStream(ctx: LiveRoutesContext, name: string): LiveStream {
  const stream = ctx.origin.stream(name);
  if (!stream?.live) throw notLive(name);
  return stream;
}

/** A stream that is live or ended within the retention time. */
function knownStream(ctx: LiveRoutesContext, name: string): LiveStream {
  const stream = ctx.origin.stream(name);
  if (!stream) throw new HttpError(404, `unknown stream ${name}`);
  return stream;
}

function streamOfEpoch(ctx: LiveRoutesContext, name: string, epoch: string): LiveStream {
  const stream = ctx.origin.stream(name);
  if (stream?.epoch === epoch) return stream;
  if (ctx.origin.isPastEpoch(name, epoch)) throw new HttpError(410, `epoch ${epoch} of stream ${name} is over`);
  throw new HttpError(404, stream ? `unknown epoch ${epoch} of stream ${name}` : `unknown stream ${name}`);
}

function initPart(stream: LiveStream, initId: number): StoredInit {
  const init = stream.initPart(initId);
  if (init) return init;
  const current = stream.init?.meta.initId ?? -1;
  throw initId < current
    ? new HttpError(410, `init ${initId} is no longer used`)
    : new HttpError(404, `init ${initId} does not exist yet`);
}

function chunkPart(stream: LiveStream, seq: number): StoredChunk {
  const found = stream.chunk(seq);
  if (found.status === 'found') return found.chunk;
  if (found.status === 'gone') throw new HttpError(410, `chunk ${seq} fell out of the window`);
  throw new HttpError(
    404,
    stream.live ? `chunk ${seq} is not produced yet` : `chunk ${seq} does not exist (stream ended)`,
  );
}

function servePart(
  ctx: LiveRoutesContext,
  req: IncomingMessage,
  res: ServerResponse,
  stream: string,
  part: StoredInit | StoredChunk,
  contentType: string,
): void {
  const etag = `"${part.meta.hash}"`;
  const headers = { etag, 'cache-control': IMMUTABLE, 'access-control-allow-origin': '*' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const size = part.bytes.byteLength;
  const range = parseByteRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
    res.end();
    return;
  }
  // one range (peers seed a large chunk in halves and fetch only the pieces they miss); anything else: whole
  const body = range ? part.bytes.subarray(range.start, range.end + 1) : part.bytes;
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'accept-ranges': 'bytes',
    'content-type': contentType,
    'content-length': body.byteLength,
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}),
  });
  res.end(body);
  // A cluster node's mirror copies each part once: not viewer traffic, so not counted as origin bytes.
  if (req.headers[MIRROR_HEADER] === undefined) ctx.origin.countSent(stream, body.byteLength);
}

/**
 * A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range (RFC 9110 §14.1.2), clamped to the part. Headers we
 * do not take (several ranges, other units, garbage) are ignored (whole part, 200), as the RFC allows.
 */
export function parseByteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}
