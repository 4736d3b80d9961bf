import { readFileSync } from 'node:fs';
import { probeFlv } from '@xp2p/testing';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  FLV_TAG_AUDIO,
  FLV_TAG_VIDEO,
  isAacSequenceHeader,
  isAvcSequenceHeader,
  isScriptTag,
  parseFlv,
  startsGop,
  type FlvTag,
} from '@xp2p/protocol';
import { LiveHub, type LiveSubscriber } from './live-hub.js';
import { bundledSamplePath } from './sample.js';

const sampleTags = parseFlv(new Uint8Array(readFileSync(bundledSamplePath()))).tags;

/** A subscriber that keeps everything it is sent; `buffered` is whatever the test says. */
function collector(buffered: () => number = () => 0): LiveSubscriber & { chunks: Uint8Array[]; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    write: (b) => chunks.push(b),
    bufferedAmount: buffered,
    bytes: () => concatBytes(chunks),
  };
}

function expectNonDecreasing(tags: FlvTag[]): void {
  for (let i = 1; i < tags.length; i++) expect(tags[i]!.timestamp).toBeGreaterThanOrEqual(tags[i - 1]!.timestamp);
}

describe('LiveHub', () => {
  it('a viewer joining mid-GOP gets a stream that starts at a keyframe at 0 and decodes in ffprobe', async () => {
    const hub = new LiveHub();
    const joinAt = sampleTags.findIndex((t) => t.timestamp >= 2500); // middle of the 3rd GOP
    for (const tag of sampleTags.slice(0, joinAt)) hub.onTag(tag);
    const viewer = collector();
    hub.subscribe(viewer);
    for (const tag of sampleTags.slice(joinAt)) hub.onTag(tag);

    const { header, tags } = parseFlv(viewer.bytes());
    expect(header).toEqual({ audio: true, video: true });
    expect(isScriptTag(tags[0]!) && isAvcSequenceHeader(tags[1]!) && isAacSequenceHeader(tags[2]!)).toBe(true);
    expect(tags.slice(0, 3).map((t) => t.timestamp)).toEqual([0, 0, 0]);
    const firstVideo = tags.find((t) => t.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(t))!;
    expect(startsGop(firstVideo)).toBe(true);
    expect(firstVideo.timestamp).toBe(0);
    expectNonDecreasing(tags);
    // The GOP at 2000 ms is shifted to 0, so every later keyframe lands exactly 2000 ms earlier.
    expect(tags.filter(startsGop).map((t) => t.timestamp)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);

    const probed = await probeFlv(viewer.bytes());
    expect(probed.decodeErrors).toBe('');
    const video = probed.packets.filter((p) => p.codec_type === 'video');
    expect(video.length).toBe(8 * 30); // GOPs 2..9 of the 10 s sample
    expect(video[0]!.flags.startsWith('K')).toBe(true);
    expect(probed.packets.some((p) => p.codec_type === 'audio')).toBe(true);
    expect(hub.stats(viewer)).toMatchObject({ droppedTags: 0, resyncs: 0, waitingForKeyframe: false });
  });

  it('a viewer joining before any keyframe waits for one; its first tag is that keyframe at 0', () => {
    const hub = new LiveHub();
    const viewer = collector();
    hub.subscribe(viewer);
    const firstKey = sampleTags.findIndex(startsGop);
    for (const tag of sampleTags.slice(0, firstKey + 90)) hub.onTag(tag);
    const { tags } = parseFlv(viewer.bytes());
    const media = tags.filter((t) => !isScriptTag(t) && !isAvcSequenceHeader(t) && !isAacSequenceHeader(t));
    expect(startsGop(media[0]!)).toBe(true);
    expect(media[0]!.timestamp).toBe(0);
  });

  it('a slow viewer loses whole GOPs while a fast one gets every tag', async () => {
    const hub = new LiveHub({ highWaterMark: 64 * 1024 });
    const fast = collector();
    // The slow link starts congested and then drains 1000 bytes per source tag, less than the
    // stream's average of ~1360 bytes per tag: it keeps falling behind and catching up again.
    let slowBuffered = 200_000;
    const slow = collector(() => slowBuffered);
    const slowWrite = slow.write.bind(slow);
    slow.write = (b) => {
      slowWrite(b);
      slowBuffered += b.byteLength;
    };
    hub.subscribe(fast);
    hub.subscribe(slow);
    let delivered = 0;
    for (const tag of sampleTags) {
      hub.onTag(tag);
      slowBuffered = Math.max(0, slowBuffered - 1_000);
      delivered++;
    }
    const fastTags = parseFlv(fast.bytes()).tags;
    expect(fastTags.map((t) => t.data)).toEqual(sampleTags.map((t) => t.data));
    expect(fastTags.length).toBe(delivered);
    expect(hub.stats(fast)).toMatchObject({ droppedTags: 0, sentTags: delivered });

    const slowTags = parseFlv(slow.bytes()).tags;
    const stats = hub.stats(slow)!;
    expect(stats.droppedTags).toBeGreaterThan(100);
    expect(stats.resyncs).toBeGreaterThan(0);
    expect(stats.sentTags + stats.droppedTags).toBe(delivered);
    expectNonDecreasing(slowTags);
    const slowMedia = slowTags.filter((t) => !isScriptTag(t) && !isAvcSequenceHeader(t) && !isAacSequenceHeader(t));
    expect(startsGop(slowMedia[0]!)).toBe(true);
    // Never a partial GOP: every video frame received either starts a GOP or is the direct successor
    // (in source order) of the previous frame received. (Video frames are unique: the timecode moves.)
    const sourceVideo = sampleTags.filter((t) => t.type === FLV_TAG_VIDEO);
    const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => b[i] === x);
    const indexes = slowMedia
      .filter((t) => t.type === FLV_TAG_VIDEO)
      .map((t) => sourceVideo.findIndex((s) => sameBytes(s.data, t.data)));
    expect(indexes).not.toContain(-1);
    expect(new Set(indexes).size).toBe(indexes.length);
    let resumes = 0;
    for (let i = 1; i < indexes.length; i++) {
      if (indexes[i] !== indexes[i - 1]! + 1) {
        resumes++;
        expect(startsGop(sourceVideo[indexes[i]!]!)).toBe(true);
      }
    }
    // A resync can also land exactly on a GOP boundary (only audio lost), so it may show no video hole.
    expect(resumes).toBeGreaterThan(0);
    expect(resumes).toBeLessThanOrEqual(stats.resyncs);
    // Despite the holes, what the slow viewer got is a valid stream.
    const probed = await probeFlv(slow.bytes());
    expect(probed.decodeErrors).toBe('');
  });

  it('after a resync no picture is presented at or before one already shown (B-frames), so the stream decodes cleanly', async () => {
    const hub = new LiveHub({ highWaterMark: 1000 });
    let slow = false;
    const viewer = collector(() => (slow ? 1e9 : 0));
    for (const [i, tag] of sampleTags.entries()) {
      if (i === 50) hub.subscribe(viewer);
      if (i % 37 === 0) slow = !slow; // cut GOPs at many different points
      hub.onTag(tag);
    }
    expect(hub.stats(viewer)?.resyncs).toBeGreaterThan(3);
    const pictures = parseFlv(viewer.bytes()).tags.filter((t) => t.type === FLV_TAG_VIDEO && t.data[1] === 1);
    const presented = pictures.map(
      (t) => t.timestamp + ((((t.data[2]! << 16) | (t.data[3]! << 8) | t.data[4]!) << 8) >> 8),
    );
    expect(new Set(presented).size).toBe(presented.length);
    expect((await probeFlv(viewer.bytes())).decodeErrors).toBe('');
  });

  it('drops audio after a resume until the keyframe', () => {
    const hub = new LiveHub({ highWaterMark: 100 });
    let buffered = 0;
    const viewer = collector(() => buffered);
    hub.subscribe(viewer);
    const video = (key: boolean, ts: number): FlvTag => ({
      type: FLV_TAG_VIDEO,
      timestamp: ts,
      data: Uint8Array.of(key ? 0x17 : 0x27, 1, 0, 0, 0, ts & 0xff),
    });
    const audio = (ts: number): FlvTag => ({
      type: FLV_TAG_AUDIO,
      timestamp: ts,
      data: Uint8Array.of(0xaf, 1, ts & 0xff),
    });
    hub.onTag(video(true, 1000));
    hub.onTag(audio(1010));
    buffered = 1000;
    hub.onTag(video(false, 1033)); // dropped: over the mark
    buffered = 0;
    hub.onTag(audio(1040)); // dropped: waiting for a keyframe
    hub.onTag(video(false, 1066)); // dropped: waiting for a keyframe
    hub.onTag(video(true, 2000)); // resumes; timeline continues 33 ms after the last tag sent
    hub.onTag(audio(2010));
    const { tags } = parseFlv(viewer.bytes());
    expect(tags.map((t) => [t.type, t.timestamp])).toEqual([
      [FLV_TAG_VIDEO, 0],
      [FLV_TAG_AUDIO, 10],
      [FLV_TAG_VIDEO, 43],
      [FLV_TAG_AUDIO, 53],
    ]);
    expect(hub.stats(viewer)).toMatchObject({ sentTags: 4, droppedTags: 3, resyncs: 1 });
  });

  it('unsubscribe stops delivery; close ends every viewer; a throwing viewer is dropped alone', () => {
    const hub = new LiveHub();
    const ends: (Error | undefined)[] = [];
    const a = { ...collector(), end: (e?: Error) => ends.push(e) };
    const b = collector();
    const broken: LiveSubscriber = {
      write: () => {
        throw new Error('channel closed');
      },
      bufferedAmount: () => 0,
    };
    hub.subscribe(a);
    const unsubscribeB = hub.subscribe(b);
    hub.subscribe(broken);
    expect(hub.subscriberCount).toBe(2);
    hub.onTag(sampleTags[0]!);
    unsubscribeB();
    hub.onTag(sampleTags[1]!);
    expect(parseFlv(a.bytes()).tags).toHaveLength(2);
    expect(parseFlv(b.bytes()).tags).toHaveLength(1);
    hub.onEnd(new Error('camera gone'));
    expect(ends.map((e) => e?.message)).toEqual(['camera gone']);
    expect(hub.subscriberCount).toBe(0);
    hub.onTag(sampleTags[2]!);
    expect(parseFlv(a.bytes()).tags).toHaveLength(2);
  });
});
