/**
 * `POST|PUT /live/NAME` with a (chunked) FLV body and the stream's publish key in the `x-publish-key`
 * header, or `?key=KEY`, which is what `ffmpeg -re -i IN -c copy -f flv http://HOST:PORT/live/NAME?key=KEY`
 * sends. The key is per stream (protocol/src/auth/publish-key.ts): the config's master key derives it and
 * publishes nothing itself. The request stays open for the whole publish; when the body ends (or the
 * connection drops) the stream ends with eof.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FlvDemuxer,
  FlvFormatError,
  isCameraStreamName,
  PUBLISH_KEY_HEADER,
  timingSafeEqualText,
} from '@xp2p/protocol';
import { HttpError } from '../errors.js';
import { sendError, sendJson } from '../json-response.js';
import type { Origin, Publisher } from './origin.js';
import { publishKeyFor } from './publish-key.js';

export interface PublishContext {
  origin: Origin;
  /** the master key each stream's key is derived from */
  publishKey: string;
  maxTagBytes: number;
  log: (line: string) => void;
}

export function handlePublish(
  ctx: PublishContext,
  name: string,
  queryKey: string | null,
  req: IncomingMessage,
  res: ServerResponse,
  /** a camera's 1vN stream whose camera credential was checked (camera-streams.ts) */
  cameraAuthorized = false,
): void {
  const header = req.headers[PUBLISH_KEY_HEADER];
  const key = (typeof header === 'string' ? header : undefined) ?? queryKey;
  // a camera's stream: its camera's credential only, never the master key (an operator cannot squat it)
  if (isCameraStreamName(name) && !cameraAuthorized) {
    ctx.log(`publish ${name.slice(0, 10)}… refused: a camera stream needs its camera's credential`);
    throw new HttpError(403, 'a camera stream is published only by its camera, with its credential');
  }
  if (!cameraAuthorized && (key === null || !timingSafeEqualText(key, publishKeyFor(ctx.publishKey, name)))) {
    ctx.log(`publish ${name} refused: ${key === null ? 'no' : 'wrong'} key`);
    throw new HttpError(403, 'missing or wrong publish key');
  }
  // throws 409 while the name is live; a camera's stream is signed with the key its own publish key derives
  const publisher = ctx.origin.openPublisher(name, cameraAuthorized && key !== null ? key : undefined);
  const demuxer = new FlvDemuxer({ maxTagBytes: ctx.maxTagBytes });
  let headerSet = false;

  const fail = (status: number, message: string): void => {
    publisher.end();
    if (!res.headersSent) {
      res.setHeader('connection', 'close');
      sendError(res, status, message);
    }
    req.destroy();
  };

  req.on('data', (bytes: Buffer) => {
    if (publisher.ended) return fail(409, `stream ${name} was ended`);
    try {
      const tags = demuxer.push(bytes);
      if (!headerSet && demuxer.header) {
        publisher.setHeader(demuxer.header);
        headerSet = true;
      }
      for (const tag of tags) publisher.push(tag);
    } catch (err) {
      // Thrown inside an event handler nothing would catch it: refuse the publish instead of crashing.
      if (err instanceof FlvFormatError) {
        ctx.log(`publish ${name}: bad FLV: ${err.message}`);
        return fail(400, `bad FLV: ${err.message}`);
      }
      ctx.log(`publish ${name}: internal error: ${(err as Error)?.stack ?? String(err)}`);
      fail(500, 'internal server error');
    }
  });
  req.on('end', () => finish(publisher, res));
  // A publisher that vanished (connection reset) ends the stream the same way.
  req.on('close', () => publisher.end());
  req.on('error', () => publisher.end());
}

function finish(publisher: Publisher, res: ServerResponse): void {
  publisher.end();
  if (!res.headersSent) sendJson(res, 200, { stream: publisher.stream, epoch: publisher.epoch });
}
