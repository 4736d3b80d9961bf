/**
 * Turns a `--source` value into a running live feed: a media source feeding a LiveHub.
 *   sample          the bundled FLV, looped (needs nothing installed); sample-standard, sample-ch1 and
 *                   sample-ch1-standard are the demo camera's other channel and quality
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
import { bundledSamplePathOf, isBundledSampleName } from './media/sample.js';
import { isLiveQuality, LIVE_QUALITIES, type LiveQuality } from '@xp2p/protocol';
import type { LiveStreamSpec } from './live-streams.js';

export interface CameraFeed {
  feed: LiveHub;
  description: string;
  close(): Promise<void>;
}

export function sourceFromSpec(spec: string): MediaSource {
  if (isBundledSampleName(spec)) return new FlvFileLoopSource(bundledSamplePathOf(spec));
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

/** One `--source` flag: `[CHANNEL:QUALITY=]SPEC`; a bare SPEC is channel 0, quality high. */
export function parseSourceFlag(flag: string): { channel: number; quality: LiveQuality; spec: string } {
  const m = /^(\d{1,3}):([a-z]+)=(.+)$/.exec(flag);
  if (!m) return { channel: 0, quality: 'high', spec: flag };
  const quality = m[2]!;
  if (!isLiveQuality(quality)) throw new Error(`--source ${flag}: quality must be one of ${LIVE_QUALITIES.join(', ')}`);
  return { channel: Number(m[1]), quality, spec: m[3]! };
}

/** Every `--source` of a camera opened: its live streams for the agent, and one close for all. */
export async function openCameraFeeds(
  flags: readonly string[],
  log: (line: string) => void = () => {},
): Promise<{ streams: LiveStreamSpec[]; descriptions: string[]; close(): Promise<void> }> {
  const parsed = flags.map(parseSourceFlag);
  const opened: CameraFeed[] = [];
  try {
    for (const { channel, quality, spec } of parsed) {
      opened.push(await openCameraFeed(spec, (line) => log(`channel ${channel} ${quality}: ${line}`)));
    }
  } catch (err) {
    await Promise.all(opened.map((c) => c.close()));
    throw err;
  }
  return {
    streams: parsed.map(({ channel, quality }, i) => ({ channel, quality, feed: opened[i]!.feed })),
    descriptions: parsed.map(({ channel, quality }, i) => `${channel}:${quality}=${opened[i]!.description}`),
    close: async () => void (await Promise.all(opened.map((c) => c.close()))),
  };
}
