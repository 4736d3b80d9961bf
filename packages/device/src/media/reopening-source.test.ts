import { FLV_TAG_VIDEO, type FlvTag } from '@xp2p/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaSink, MediaSource } from './media-source.js';
import { LiveHub, type LiveSubscriber } from './live-hub.js';
import { ReopeningSource, type OutageSink } from './reopening-source.js';

/** A source the test drives by hand: it emits what the test says and ends when the test says. */
class ScriptedSource implements MediaSource {
  readonly description = 'scripted';
  sink: MediaSink | undefined;
  stopped = false;
  start(sink: MediaSink): void {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

const keyframe = (timestamp: number): FlvTag => ({
  type: FLV_TAG_VIDEO,
  timestamp,
  data: new Uint8Array([0x17, 1, 0, 0, 0]),
});

function recordingSink(): OutageSink & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    onTag: (tag) => events.push(`tag ${tag.timestamp}`),
    onEnd: () => events.push('end'),
    onDown: (error) => events.push(`down ${error.message}`),
    onUp: () => events.push('up'),
  };
}

describe('ReopeningSource', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reopens a source that ends, with doubling back-off, and tells the sink down once and up once', async () => {
    const made: ScriptedSource[] = [];
    const reopening = new ReopeningSource(() => made[made.push(new ScriptedSource()) - 1]!, 'cam', {
      minBackoffMs: 100,
      maxBackoffMs: 400,
      stallTimeoutMs: 60_000,
    });
    const sink = recordingSink();
    reopening.start(sink);
    made[0]!.sink!.onTag(keyframe(0));
    made[0]!.sink!.onEnd(new Error('rtsp gone'));
    expect(made[0]!.stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(99);
    expect(made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(2);
    made[1]!.sink!.onEnd(new Error('refused')); // fails again before any media: wait 200 ms, then 400 (the cap)
    await vi.advanceTimersByTimeAsync(200);
    expect(made).toHaveLength(3);
    made[2]!.sink!.onEnd(new Error('refused'));
    await vi.advanceTimersByTimeAsync(399);
    expect(made).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    made[3]!.sink!.onTag(keyframe(0));
    // late callbacks of a replaced source are ignored
    made[0]!.sink!.onTag(keyframe(999));
    expect(sink.events).toEqual(['tag 0', 'down rtsp gone', 'up', 'tag 0']);
    await reopening.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts a source that goes silent as down, and a stopped source leaves no timer behind', async () => {
    const made: ScriptedSource[] = [];
    const reopening = new ReopeningSource(() => made[made.push(new ScriptedSource()) - 1]!, 'cam', {
      minBackoffMs: 100,
      stallTimeoutMs: 1000,
    });
    const sink = recordingSink();
    reopening.start(sink);
    made[0]!.sink!.onTag(keyframe(0));
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.events).toEqual(['tag 0', 'down no media for 1000 ms']);
    expect(made[0]!.stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(made).toHaveLength(2);
    await reopening.stop();
    expect(made[1]!.stopped).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('LiveHub through a source outage', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const subscriber = (keep = false) => {
    const s = { ended: undefined as Error | undefined, downs: 0, bytes: 0 };
    const sink: LiveSubscriber = {
      write: (b) => void (s.bytes += b.byteLength),
      bufferedAmount: () => 0,
      end: (error) => void (s.ended = error ?? new Error('eof')),
      sourceDown: () => void s.downs++,
      keepThroughOutage: keep,
    };
    return { s, sink };
  };

  it('keeps viewers through a short outage, ends them after the bound, keeps the recorder for ever', async () => {
    const hub = new LiveHub({ outageMaxMs: 5000 });
    const viewer = subscriber();
    const recorder = subscriber(true);
    hub.subscribe(viewer.sink);
    hub.subscribe(recorder.sink);
    hub.onTag(keyframe(0));
    hub.onDown(new Error('rtsp gone'));
    expect(hub.sourceStatus()).toMatchObject({ state: 'down', reason: 'rtsp gone' });
    await vi.advanceTimersByTimeAsync(4000);
    hub.onUp(); // back in time
    hub.onTag(keyframe(0));
    expect(hub.sourceStatus()).toEqual({ state: 'live' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(viewer.s.ended).toBeUndefined();

    hub.onDown(new Error('rtsp gone again'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(viewer.s.ended?.message).toBe('camera source down for 5 s: rtsp gone again');
    expect(recorder.s.ended).toBeUndefined();
    expect([viewer.s.downs, recorder.s.downs]).toEqual([2, 2]);
    expect(hub.subscriberCount).toBe(1);
    hub.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
