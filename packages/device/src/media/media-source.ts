/** The contract between a media producer (file, camera, ffmpeg) and whoever distributes it. */
import type { FlvTag } from '@xp2p/protocol';

export interface MediaSink {
  onTag(tag: FlvTag): void;
  /** Called once when the source ends by itself (error = why). Not called after `stop()`. */
  onEnd(error?: Error): void;
}

export interface MediaSource {
  /** Human-readable, for logs and stats (e.g. "ffmpeg testsrc"). */
  readonly description: string;
  start(sink: MediaSink): void;
  /** Releases timers / child processes; resolves once nothing more will be emitted. */
  stop(): Promise<void>;
}
