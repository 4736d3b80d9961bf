/**
 * `ipc.flv?action=playback&start_time=S&end_time=E[&speed=N|&rate=max]`: the recordings between two
 * unix times as one FLV stream (PlaybackStream). E - S must be >= 5 s (400). `speed` (0 < N <= 16,
 * default 1) scales real-time pacing; `rate=max` sends as fast as the channel drains. No recordings in
 * the range, or no store → 404.
 */
import { DEVICE_DEFAULTS } from '../defaults.js';
import { intParam, RequestError } from '../http-like.js';
import type { RecordingsStore } from '../recordings/recordings-store.js';
import type { RequestContext, ResponseWriter } from '../response-writer.js';
import type { PlaybackRegistry } from './playback-registry.js';
import { PlaybackStream, type PlaybackSpeed } from './playback-stream.js';

export interface PlaybackHandlerOptions {
  minSeconds?: number;
  maxSpeed?: number;
  highWaterBytes?: number;
  log?: (line: string) => void;
}

export class PlaybackHandler {
  constructor(
    private readonly store: RecordingsStore | undefined,
    private readonly registry: PlaybackRegistry,
    private readonly o: PlaybackHandlerOptions = {},
  ) {}

  async serve(params: URLSearchParams, res: ResponseWriter, ctx: RequestContext): Promise<void> {
    const startS = intParam(params, 'start_time');
    const endS = intParam(params, 'end_time');
    const minSeconds = this.o.minSeconds ?? DEVICE_DEFAULTS.playbackMinSeconds;
    if (endS - startS < minSeconds) {
      throw new RequestError(400, `end_time must be at least ${minSeconds} s after start_time`);
    }
    const speed = this.parseSpeed(params);
    if (!this.store || this.store.inRange(startS, endS).length === 0) {
      return res.fail(404, 'no recordings in that time range');
    }
    const playback = new PlaybackStream(this.store, startS, endS, res, {
      speed,
      highWaterBytes: this.o.highWaterBytes ?? DEVICE_DEFAULTS.playbackHighWaterBytes,
      log: this.o.log,
    });
    const unregister = this.registry.add(ctx.sessionId, playback);
    try {
      await playback.run();
    } finally {
      unregister();
    }
  }

  private parseSpeed(params: URLSearchParams): PlaybackSpeed {
    if (params.get('rate') === 'max') return 'max';
    const raw = params.get('speed');
    if (raw === null) return 1;
    const speed = Number(raw);
    const max = this.o.maxSpeed ?? DEVICE_DEFAULTS.playbackMaxSpeed;
    if (!Number.isFinite(speed) || speed <= 0 || speed > max)
      throw new RequestError(400, `speed must be > 0 and <= ${max}`);
    return speed;
  }
}
