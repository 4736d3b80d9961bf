/**
 * `GET /live/NAME/start?lead=MS`: a 1vN viewer's start in one request, issued while it joins the tracker,
 * so its first frame costs one round trip to the origin like a plain HTTP-FLV viewer's. The body is the
 * init part followed by the start chunk (pickStartChunk: the newest keyframe chunk this node announced at
 * least `lead` ms ago, else the oldest keyframe chunk held); headers (START_HEADERS) name the epoch, the
 * initId, the init part's size and the chunk's seq, so the peer can check both against the manifest's
 * hashes. The answer changes with time: not cacheable.
 */
import type { ServerResponse } from 'node:http';
import { concatBytes, parseStartLead, pickStartChunk, START_HEADERS, START_LEAD_MAX_MS } from '@xp2p/protocol';
import { HttpError } from '../errors.js';
import type { LiveStream } from './live-stream.js';

export function serveStart(
  stream: LiveStream,
  leadParam: string | null,
  res: ServerResponse,
  count: (bytes: number) => void,
): void {
  const lead = parseStartLead(leadParam);
  if (lead === undefined) throw new HttpError(400, `lead must be an integer number of ms in [0, ${START_LEAD_MAX_MS}]`);
  const now = Date.now();
  const start = pickStartChunk(stream.recentChunks(), now, lead, (c) => ({
    seq: c.meta.seq,
    keyframe: c.meta.keyframe,
    announcedAt: c.announcedAt ?? now,
  }));
  const init = start && stream.initPart(start.meta.initId);
  if (!start || !init) throw new HttpError(404, `stream ${stream.name} has no keyframe chunk yet`);
  const body = concatBytes([init.bytes, start.bytes]);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.byteLength,
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': Object.values(START_HEADERS).join(', '),
    [START_HEADERS.epoch]: stream.epoch,
    [START_HEADERS.initId]: String(init.meta.initId),
    [START_HEADERS.initSize]: String(init.bytes.byteLength),
    [START_HEADERS.seq]: String(start.meta.seq),
  });
  res.end(body);
  count(body.byteLength);
}
