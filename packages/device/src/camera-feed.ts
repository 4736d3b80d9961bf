/**
 * Turns a `--source` value into a running live feed: a media source feeding a LiveHub.
 *   sample          the bundled FLV, looped (needs nothing installed)
 *   testsrc         ffmpeg's generated test pattern with a tone
 *   FILE.flv        a local FLV file, looped without ffmpeg
 *   anything else   any ffmpeg input (file, rtsp://, http://): RTSP is copied, the rest encoded to H.264/AAC
 * A source that ends, fails or stalls is reopened with back-off for as long as the feed is open (see
 * ReopeningSource): viewers wait through the outage, new viewers get 503 with the reason meanwhile.
 */
import { existsSync } from 'node:fs';
import { FfmpegSource } from './media/ffmpeg-source.js';
import { FlvFileLoopSource } from './media/flv-file-loop-source.js';
import { LiveHub } from './media/live-hub.js';
import type { MediaSource } from './media/media-source.js';
import { ReopeningSource, type ReopeningSourceOptions } from './media/reopening-source.js';
import { bundledSamplePath } from './media/sample.js';

export interface CameraFeed {
  feed: LiveHub;
  description: string;
  close(): Promise<void>;
}

export function sourceFromSpec(spec: string): MediaSource {
  if (spec === 'sample') return new FlvFileLoopSource(bundledSamplePath());
  if (spec === 'testsrc') return new FfmpegSource('testsrc', { encode: true });
  if (/\.flv$/i.test(spec) && existsSync(spec)) return new FlvFileLoopSource(spec);
  if (!/^[a-z]+:\/\//i.test(spec) && !existsSync(spec)) throw new Error(`source "${spec}": no such file`);
  return new FfmpegSource(spec, { encode: !/^rtsps?:\/\//i.test(spec) });
}

export async function openCameraFeed(
  spec: string,
  log: (line: string) => void = () => {},
  options: ReopeningSourceOptions & { outageMaxMs?: number } = {},
): Promise<CameraFeed> {
  // A bad spec (no such file) fails here, at once; later failures of the source are outages.
  let first: MediaSource | undefined = sourceFromSpec(spec);
  const open = (): MediaSource => {
    const source = first ?? sourceFromSpec(spec);
    first = undefined;
    return source;
  };
  const source = new ReopeningSource(open, first.description, { log, ...options });
  const feed = new LiveHub({ outageMaxMs: options.outageMaxMs });
  source.start(feed);
  return {
    feed,
    description: source.description,
    async close() {
      await source.stop();
      feed.close();
    },
  };
}
