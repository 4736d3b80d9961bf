/**
 * `GET /live/NAME/feed`: NDJSON, one OriginEvent per line — first the current init and the chunks still in
 * the window, then each new one as it is cut, and an `eof` line (then the end of the response) when the
 * publisher stops. For peers that cannot hold a tracker socket, and for tools (`curl -N`).
 */
import type { ServerResponse } from 'node:http';
import type { OriginEvent } from '@xp2p/protocol';
import type { LiveStream } from './live-stream.js';
import type { ReaderLease } from './reader-budget.js';

export function serveFeed(stream: LiveStream, res: ServerResponse, maxBacklogBytes: number, lease?: ReaderLease): void {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    'access-control-allow-origin': '*',
    // Tell proxies (nginx) not to buffer: each line matters as soon as it is written.
    'x-accel-buffering': 'no',
  });
  const writeLine = (event: OriginEvent): void => {
    if (res.destroyed) return;
    res.write(`${JSON.stringify(event)}\n`);
    if (res.writableLength > maxBacklogBytes || lease?.update(res.writableLength) === false) {
      unsubscribe();
      res.destroy();
    }
  };
  const unsubscribe = stream.subscribe((event) => {
    writeLine(stream.toOriginEvent(event));
    if (event.type === 'eof') res.end();
  });
  res.on('close', unsubscribe);
  if (lease) res.on('close', lease.release);
  // Before the first media tag there is no init yet: the subscription delivers it when it comes.
  for (const event of stream.snapshotEvents()) writeLine(event);
  if (!stream.live) res.end();
}
