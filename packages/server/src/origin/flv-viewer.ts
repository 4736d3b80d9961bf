/**
 * `GET /live/NAME.flv`: plain HTTP-FLV for viewers without P2P (and as the baseline the swarm is measured
 * against). It starts with the init part and the chunks from the latest keyframe chunk, so the first frame
 * decodes at once, then follows live, and ends when the publisher stops.
 */
import type { ServerResponse } from 'node:http';
import { encodeFlvTag, parseFlv, withTimestamp } from '@xp2p/protocol';
import type { StoredChunk, StoredInit } from './chunk-window.js';
import type { LiveStream } from './live-stream.js';
import type { ReaderLease } from './reader-budget.js';

export interface FlvViewerOptions {
  /** counts every media byte written */
  count: (bytes: number) => void;
  /** a viewer with more than this queued in its socket is cut off */
  maxBacklogBytes: number;
  /** this reader's share of the node's reader budget (origin/reader-budget.ts) */
  lease?: ReaderLease;
}

/** The init part's tags without the FLV file header, re-stamped at `timestamp` for mid-stream use. */
function initTagsAt(init: StoredInit, timestamp: number): Uint8Array {
  const { tags } = parseFlv(init.bytes);
  return Buffer.concat(tags.map((t) => encodeFlvTag(withTimestamp(t, timestamp))));
}

export function serveFlv(stream: LiveStream, res: ServerResponse, options: FlvViewerOptions): void {
  res.writeHead(200, {
    'content-type': 'video/x-flv',
    'cache-control': 'no-cache, no-store',
    'access-control-allow-origin': '*',
  });
  let initId: number | undefined;

  const write = (bytes: Uint8Array): void => {
    if (res.destroyed) return;
    res.write(bytes);
    options.count(bytes.byteLength);
    if (res.writableLength > options.maxBacklogBytes || options.lease?.update(res.writableLength) === false) {
      unsubscribe();
      res.destroy(); // too slow to follow live: better cut off than buffered without bound
    }
  };

  /** Writes a chunk, preceded by its init part (whole at the start, as sequence headers afterwards). */
  const writeChunk = (chunk: StoredChunk): void => {
    if (initId === undefined) {
      if (!chunk.meta.keyframe) return; // wait for a place where a decoder can start
      const init = stream.initPart(chunk.meta.initId);
      if (!init) return;
      write(init.bytes);
    } else if (chunk.meta.initId !== initId) {
      const init = stream.initPart(chunk.meta.initId);
      // An FLV file has one header: a changed init continues as new sequence headers in-line.
      if (init) write(initTagsAt(init, chunk.meta.timestamp));
    }
    initId = chunk.meta.initId;
    write(chunk.bytes);
  };

  const unsubscribe = stream.subscribe((event) => {
    if (event.type === 'chunk') writeChunk(event.chunk);
    else if (event.type === 'eof') res.end();
  });
  res.on('close', unsubscribe);
  if (options.lease) res.on('close', options.lease.release);
  for (const chunk of stream.fromLatestKeyframe()) writeChunk(chunk);
  if (!stream.live) res.end();
}
