import { describe, expect, it } from 'vitest';
import {
  encodeFlvHeader,
  encodeFlvTag,
  FLV_TAG_AUDIO,
  FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO,
  parseFlv,
  startsGop,
  type FlvTag,
} from '@xp2p/protocol';
import { LiveFlvSplicer } from './live-splice.js';

const avc = (keyframe: boolean, packetType: 0 | 1, timestamp: number, size = 40): FlvTag => {
  const data = new Uint8Array(size).fill(0xab);
  data[0] = ((keyframe ? 1 : 2) << 4) | 7;
  data[1] = packetType;
  data[2] = data[3] = data[4] = 0;
  return { type: FLV_TAG_VIDEO, timestamp, data };
};
const aac = (timestamp: number): FlvTag => ({ type: FLV_TAG_AUDIO, timestamp, data: new Uint8Array([0xaf, 1, 9, 9]) });
const meta: FlvTag = { type: FLV_TAG_SCRIPT, timestamp: 0, data: new Uint8Array([2, 0, 1, 0x61]) };

/** What the camera sends a new live viewer: header, metadata, sequence header, a GOP from a keyframe at 0. */
function cameraResponse(frames: number, gop = 10): Uint8Array {
  const tags: FlvTag[] = [meta, avc(true, 0, 0)];
  for (let i = 0; i < frames; i++) {
    tags.push(avc(i % gop === 0, 1, i * 33, i % gop === 0 ? 3000 : 200));
    tags.push(aac(i * 33 + 5));
  }
  const parts = [encodeFlvHeader({ audio: true, video: true }), ...tags.map(encodeFlvTag)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Feeds bytes in pieces of `step` bytes (cutting tags anywhere), returns everything delivered. */
function feed(splicer: LiveFlvSplicer, bytes: Uint8Array, step: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += step) out.push(splicer.push(bytes.subarray(i, i + step)));
  return out.filter((b) => b.byteLength > 0);
}

const join = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

describe('LiveFlvSplicer', () => {
  it('passes a single response through byte for byte, in whole tags', () => {
    const input = cameraResponse(40);
    const splicer = new LiveFlvSplicer();
    const out = feed(splicer, input, 777);
    expect(join(out)).toEqual(input);
    for (const chunk of out.slice(1))
      expect(() => parseFlv(join([encodeFlvHeader({ audio: true, video: true }), chunk]))).not.toThrow();
  });

  it('splices a resumed response into one FLV: one header, resumes at a keyframe, time never goes back', () => {
    const splicer = new LiveFlvSplicer();
    const first = cameraResponse(25);
    // the path breaks mid-tag: the partial tag is lost, never delivered
    const delivered = feed(splicer, first.subarray(0, first.byteLength - 150), 500);
    splicer.resume();
    delivered.push(...feed(splicer, cameraResponse(30), 333));
    const { tags } = parseFlv(join(delivered)); // throws on a second header or a torn tag
    expect(tags.filter((t) => t.type === FLV_TAG_SCRIPT)).toHaveLength(1);
    const video = tags.filter((t) => t.type === FLV_TAG_VIDEO);
    for (let i = 1; i < video.length; i++) expect(video[i]!.timestamp).toBeGreaterThanOrEqual(video[i - 1]!.timestamp);
    const all = tags.map((t) => t.timestamp);
    const lastBefore = Math.max(...all.slice(0, all.indexOf(Math.max(...all.slice(0, 40)))));
    // the resumed part: its sequence header, then a keyframe 33 ms after the last picture before the break
    const resumedKeyIndex = video.findIndex((t, i) => i > 0 && startsGop(t) && t.timestamp > 24 * 33);
    expect(resumedKeyIndex).toBeGreaterThan(0);
    expect(video[resumedKeyIndex - 1]!.data[1]).toBe(0); // sequence header re-sent just before
    expect(video[resumedKeyIndex]!.timestamp).toBeGreaterThan(lastBefore);
    expect(splicer.resumes).toBe(1);
  });

  it('drops what comes before the resumed keyframe', () => {
    const splicer = new LiveFlvSplicer();
    feed(splicer, cameraResponse(5), 1 << 20);
    splicer.resume();
    const resumed = cameraResponse(12, 10);
    // a response whose GOP cache was empty: it starts mid-GOP (frame 3), the keyframe comes at frame 10
    const { tags } = parseFlv(resumed);
    const midGop = [
      meta,
      ...tags.slice(1).filter((t) => t.type !== FLV_TAG_VIDEO || t.timestamp >= 3 * 33 || t.data[1] === 0),
    ];
    const body = join([encodeFlvHeader({ audio: true, video: true }), ...midGop.map(encodeFlvTag)]);
    const out = parseFlv(join([encodeFlvHeader({ audio: true, video: true }), splicer.push(body)])).tags;
    const media = out.filter((t) => !(t.type === FLV_TAG_VIDEO && t.data[1] === 0));
    expect(startsGop(media[0]!)).toBe(true);
    // 33 ms after the last tag delivered (the audio at 4 * 33 + 5)
    expect(media[0]!.timestamp).toBe(4 * 33 + 5 + 33);
  });
});
