/**
 * `voice?channel=0&sample_rate=16000&channels=1&bits=16`: talkback. One talker at a time (the next gets
 * 503). Head 200 admits the talker; its PCM goes to the sink until it sends `end` (the camera then ends
 * the response) or closes the channel. Bad format → 400; no sink configured → 404. Audio faster than
 * real time (beyond talk-budget.ts's slack) cuts the talk with 429; its duration or size limit, with 413.
 */
import { intParam, RequestError } from '../http-like.js';
import type { RequestContext, ResponseWriter } from '../response-writer.js';
import { TalkBudget, type TalkLimits } from './talk-budget.js';
import type { VoiceFormat, VoiceSink, VoiceStream } from './voice-sink.js';

export class VoiceHandler {
  private talking = false;

  constructor(
    private readonly sink: VoiceSink | undefined,
    private readonly log: (line: string) => void = () => {},
    private readonly limits: TalkLimits = {},
  ) {}

  get available(): boolean {
    return this.sink !== undefined;
  }

  /** A talk is in progress (get_device_st type=voice answers 1). */
  get busy(): boolean {
    return this.talking;
  }

  async serve(params: URLSearchParams, res: ResponseWriter, ctx: RequestContext): Promise<void> {
    const format = parseVoiceFormat(params);
    if (!this.sink) return res.fail(404, 'talkback is not available on this camera');
    if (this.talking) return res.fail(503, 'another viewer is talking');
    this.talking = true;
    let stream: VoiceStream;
    try {
      stream = await this.sink.open(format, { sessionId: ctx.sessionId, startedAt: Date.now() });
    } catch (err) {
      this.talking = false;
      this.log(`voice: sink did not open: ${String(err)}`);
      return res.fail(500, 'the camera cannot play audio now');
    }
    let finished = false;
    let refusal: { status: number; message: string } | undefined;
    const finish = (viewerEnded: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(durationTimer);
      void stream
        .close()
        .catch((err: unknown) => this.log(`voice: sink failed to close: ${String(err)}`))
        .finally(() => {
          this.talking = false;
          if (refusal) res.fail(refusal.status, refusal.message);
          else if (viewerEnded) res.end();
        });
    };
    const cut = (status: number, message: string) => {
      if (finished) return;
      this.log(`voice: ${message}; talk of ${ctx.sessionId.slice(0, 8)} ended`);
      refusal = { status, message };
      finish(false);
    };
    const budget = new TalkBudget(format, this.limits);
    const durationTimer = setTimeout(() => cut(413, `talk over ${budget.maxMs} ms`), budget.maxMs);
    res.onUpstream(
      (data) => {
        if (finished) return;
        const verdict = budget.take(data.byteLength);
        if (verdict === 'too-fast') return cut(429, 'talkback audio arrives faster than its sample rate');
        if (verdict === 'too-large') return cut(413, 'talk over its size limit');
        stream.write(new Uint8Array(data));
      },
      () => finish(true),
    );
    res.onClose(() => finish(false));
    if (res.closed) return finish(false); // left while the sink was opening
    res.head(200, { 'x-sample-rate': String(format.sampleRate), 'x-channels': String(format.channels) });
  }
}

export function parseVoiceFormat(params: URLSearchParams): VoiceFormat {
  const sampleRate = intParam(params, 'sample_rate', 16000);
  const channels = intParam(params, 'channels', 1);
  const bits = intParam(params, 'bits', 16);
  if (sampleRate < 8000 || sampleRate > 48000) throw new RequestError(400, 'sample_rate must be 8000..48000');
  if (channels !== 1 && channels !== 2) throw new RequestError(400, 'channels must be 1 or 2');
  if (bits !== 16) throw new RequestError(400, 'bits must be 16');
  return { sampleRate, channels, bits };
}
