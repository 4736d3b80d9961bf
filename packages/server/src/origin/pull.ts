/**
 * Pulls an upstream HTTP-FLV URL (another origin, a camera, an nginx-http-flv server) into a publisher.
 */
import { FlvDemuxer } from '@xp2p/protocol';
import type { Publisher } from './publisher.js';

/** Why a pull ended. */
export type PullResult = { reason: 'eof' } | { reason: 'stopped' } | { reason: 'error'; error: Error };

/** A running pull of an upstream stream into the origin. */
export interface PullHandle {
  /** resolves (never rejects) when the pull is over, and why */
  readonly done: Promise<PullResult>;
  /** aborts the upstream request; the stream ends with eof */
  stop(): void;
}

/** A pull that got an HTTP refusal or non-FLV bytes from its upstream. */
export class UpstreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export function pullHttpFlv(url: string, open: () => Publisher, maxTagBytes: number): PullHandle {
  const abort = new AbortController();
  const run = async (): Promise<PullResult> => {
    let publisher: Publisher | undefined;
    try {
      const res = await fetch(url, { signal: abort.signal });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new UpstreamError(`upstream answered HTTP ${res.status}`);
      }
      publisher = open();
      const demuxer = new FlvDemuxer({ maxTagBytes });
      let headerSet = false;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value: bytes } = await reader.read();
        if (done) break;
        const tags = demuxer.push(bytes);
        if (!headerSet && demuxer.header) {
          publisher.setHeader(demuxer.header);
          headerSet = true;
        }
        for (const tag of tags) publisher.push(tag);
        if (publisher.ended) {
          await reader.cancel();
          break;
        }
      }
      return abort.signal.aborted ? { reason: 'stopped' } : { reason: 'eof' };
    } catch (err) {
      if (abort.signal.aborted) return { reason: 'stopped' };
      return { reason: 'error', error: err instanceof Error ? err : new Error(String(err)) };
    } finally {
      publisher?.end();
    }
  };
  const done = run();
  return { done, stop: () => abort.abort() };
}
