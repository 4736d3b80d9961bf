import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlvDemuxer, parseFlv } from './demux.js';
import { encodeFlvHeader, encodeFlvTag } from './mux.js';
import {
  avcCompositionTime,
  isAvcEndOfSequence,
  isAacSequenceHeader,
  isAvcSequenceHeader,
  isScriptTag,
  isVideoKeyframe,
  startsGop,
  videoCodecId,
} from './inspect.js';
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvFormatError, type FlvTag } from './tag.js';

/** The golden fixtures (see fixtures/make-fixtures.sh). */
const fixtureNames = ['av', 'video-only'] as const;
const readFixture = (name: (typeof fixtureNames)[number]): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}.flv`, import.meta.url)));

/** ffprobe's -show_packets output for a fixture, captured by make-fixtures.sh. */
interface ProbedPacket {
  codec_type: 'video' | 'audio';
  pts: number;
  dts: number;
  size: string;
  flags: string;
}
const readProbedPackets = (name: (typeof fixtureNames)[number]): ProbedPacket[] =>
  (
    JSON.parse(readFileSync(new URL(`./fixtures/${name}.packets.json`, import.meta.url), 'utf8')) as {
      packets: ProbedPacket[];
    }
  ).packets;

/** Deterministic PRNG so a failing random split can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function splitRandomly(bytes: Uint8Array, seed: number, maxChunk: number): Uint8Array[] {
  const next = rng(seed);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(next() * maxChunk);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

describe('parseFlv against ffprobe', () => {
  for (const name of fixtureNames) {
    it(`${name}: media tags match ffprobe's packets one for one`, () => {
      const { header, tags } = parseFlv(readFixture(name));
      const probed = readProbedPackets(name);
      expect(header).toEqual({ audio: name === 'av', video: true });

      // ffprobe turns sequence headers into extradata, the script tag into metadata and drops the
      // end-of-sequence marker, so every other tag is exactly one packet, in file order.
      expect(isScriptTag(tags[0]!)).toBe(true);
      expect(isAvcEndOfSequence(tags.at(-1)!)).toBe(true);
      const media = tags.filter(
        (t) => !isScriptTag(t) && !isAvcSequenceHeader(t) && !isAacSequenceHeader(t) && !isAvcEndOfSequence(t),
      );
      expect(media.length).toBe(probed.length);
      media.forEach((tag, i) => {
        const p = probed[i]!;
        expect(tag.type).toBe(p.codec_type === 'video' ? FLV_TAG_VIDEO : FLV_TAG_AUDIO);
        expect(tag.timestamp).toBe(p.dts);
        if (tag.type === FLV_TAG_VIDEO) {
          expect(videoCodecId(tag)).toBe(7);
          expect(isVideoKeyframe(tag)).toBe(p.flags.startsWith('K'));
          expect(startsGop(tag)).toBe(p.flags.startsWith('K'));
          expect(tag.timestamp + avcCompositionTime(tag)).toBe(p.pts);
          expect(tag.data.length - 5).toBe(Number(p.size)); // flags + AVCPacketType + CompositionTime
        } else {
          expect(tag.data.length - 2).toBe(Number(p.size)); // flags + AACPacketType
        }
      });
    });
  }

  it('av: one AVC and one AAC sequence header before the first frame, keyframes every 15 frames', () => {
    const { tags } = parseFlv(readFixture('av'));
    expect(tags.filter(isAvcSequenceHeader)).toHaveLength(1);
    expect(tags.filter(isAacSequenceHeader)).toHaveLength(1);
    const firstMedia = tags.findIndex((t) => startsGop(t) || (t.type === FLV_TAG_AUDIO && !isAacSequenceHeader(t)));
    expect(tags.findIndex(isAvcSequenceHeader)).toBeLessThan(firstMedia);
    expect(tags.findIndex(isAacSequenceHeader)).toBeLessThan(firstMedia);

    const video = tags.filter((t) => t.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(t) && !isAvcEndOfSequence(t));
    expect(video).toHaveLength(30); // 2 s at 15 fps
    const keyIndexes = video.flatMap((t, i) => (startsGop(t) ? [i] : []));
    expect(keyIndexes).toEqual([0, 15]);
    expect(isVideoKeyframe(tags.find(isAvcSequenceHeader)!)).toBe(true); // frame type 1, but not a GOP start
  });
});

describe('FlvDemuxer', () => {
  it('gives identical tags however the input is split (including inside the header)', () => {
    const bytes = readFixture('av');
    const whole = parseFlv(bytes).tags;
    for (const [seed, maxChunk] of [
      [1, 1],
      [2, 7],
      [3, 200],
      [4, 5000],
    ] as const) {
      const demuxer = new FlvDemuxer();
      const tags: FlvTag[] = [];
      for (const chunk of splitRandomly(bytes, seed, maxChunk)) {
        tags.push(...demuxer.push(chunk));
        if (demuxer.bufferedBytes > 0) expect(demuxer.bufferedBytes).toBeLessThan(bytes.length);
      }
      expect(demuxer.header).toEqual({ audio: true, video: true });
      expect(demuxer.bufferedBytes).toBe(0);
      expect(tags).toEqual(whole);
    }
  });

  it('reports the header only once it is complete', () => {
    const demuxer = new FlvDemuxer();
    const header = encodeFlvHeader({ audio: false, video: true });
    expect(demuxer.push(header.subarray(0, 12))).toEqual([]);
    expect(demuxer.header).toBeUndefined();
    demuxer.push(header.subarray(12));
    expect(demuxer.header).toEqual({ audio: false, video: true });
  });

  it('does not alias the caller buffer (tags survive the chunk being overwritten)', () => {
    const tag: FlvTag = { type: FLV_TAG_SCRIPT, timestamp: 5, data: Uint8Array.of(1, 2, 3) };
    const bytes = Uint8Array.from([...encodeFlvHeader({ audio: true, video: true }), ...encodeFlvTag(tag)]);
    const [out] = new FlvDemuxer().push(bytes);
    bytes.fill(0);
    expect(out).toEqual(tag);
  });
});

describe('corrupt input throws FlvFormatError', () => {
  const good = readFixture('av');
  const expectFormatError = (fn: () => unknown, message?: RegExp): void => {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FlvFormatError);
    if (message) expect((caught as Error).message).toMatch(message);
  };

  it('bad signature, as soon as the first byte is wrong', () => {
    expectFormatError(() => new FlvDemuxer().push(Uint8Array.of(0x47)), /signature/);
    const bad = good.slice();
    bad[2] = 0x34; // "FL4"
    expectFormatError(() => parseFlv(bad), /signature/);
  });

  it('bad version', () => {
    const bad = good.slice();
    bad[3] = 2;
    expectFormatError(() => parseFlv(bad), /version 2/);
  });

  it('a tag type other than 8/9/18', () => {
    const bad = good.slice();
    bad[13] = 7;
    expectFormatError(() => parseFlv(bad), /tag type 7/);
  });

  it('a size field over maxTagBytes fails at the tag header, without waiting for the body', () => {
    const bytes = Uint8Array.from([
      ...encodeFlvHeader({ audio: true, video: true }),
      ...[FLV_TAG_VIDEO, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0],
    ]);
    expectFormatError(() => new FlvDemuxer({ maxTagBytes: 1024 }).push(bytes), /exceeds/);
    expectFormatError(() => new FlvDemuxer().push(bytes), /exceeds the 8388608-byte limit/);
  });

  it('a PreviousTagSize that does not match', () => {
    const bad = good.slice();
    const firstTagSize = (bad[14]! << 16) | (bad[15]! << 8) | bad[16]!;
    const lastSizeByte = 13 + 11 + firstTagSize + 3;
    bad[lastSizeByte] = bad[lastSizeByte]! ^ 1;
    expectFormatError(() => parseFlv(bad), /PreviousTagSize/);
  });

  it('truncated files, at every kind of boundary', () => {
    for (const n of [0, 5, 12, 20, good.length - 1, good.length - 4]) {
      expectFormatError(() => parseFlv(good.subarray(0, n)), /truncated/);
    }
  });

  it('stays failed after an error', () => {
    const demuxer = new FlvDemuxer();
    expectFormatError(() => demuxer.push(Uint8Array.of(0, 0, 0)));
    expectFormatError(() => demuxer.push(good));
  });

  it('random bytes (with and without a valid header) fail fast and never hang', () => {
    const next = rng(42);
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const garbage = Uint8Array.from({ length: 64 + Math.floor(next() * 4096) }, () => Math.floor(next() * 256));
      expectFormatError(() => parseFlv(garbage));
      const afterHeader = Uint8Array.from([...encodeFlvHeader({ audio: true, video: true }), ...garbage]);
      // Either the garbage is rejected or it is an incomplete tag; it can never produce tags forever.
      expectFormatError(() => parseFlv(afterHeader));
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
