import { describe, expect, it } from 'vitest';
import { FlvSplicer } from './splicer.js';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, type FlvTag } from './tag.js';

// AVC NALU tags: frame type 1 (key) or 2 (inter), AVCPacketType 1, composition time 0
const key = (timestamp: number): FlvTag => ({
  type: FLV_TAG_VIDEO,
  timestamp,
  data: new Uint8Array([0x17, 1, 0, 0, 0]),
});
const inter = (timestamp: number): FlvTag => ({
  type: FLV_TAG_VIDEO,
  timestamp,
  data: new Uint8Array([0x27, 1, 0, 0, 0]),
});
const avcConfig = (timestamp: number): FlvTag => ({
  type: FLV_TAG_VIDEO,
  timestamp,
  data: new Uint8Array([0x17, 0, 0, 0, 0]),
});
const aac = (timestamp: number): FlvTag => ({ type: FLV_TAG_AUDIO, timestamp, data: new Uint8Array([0xaf, 1, 0]) });

const run = (splicer: FlvSplicer, tags: FlvTag[]) => tags.map((t) => splicer.map(t)?.timestamp ?? 'dropped');

describe('FlvSplicer', () => {
  it('continues after the last picture when the source starts over, from its first keyframe', () => {
    const splicer = new FlvSplicer(40);
    expect(run(splicer, [avcConfig(1000), key(1000), inter(1040), inter(1080)])).toEqual([0, 0, 40, 80]);
    splicer.restart();
    // the new run's timestamps start at 0 again; its frames before a keyframe cannot be decoded
    expect(run(splicer, [inter(0), avcConfig(0), key(40), inter(80), aac(80)])).toEqual(['dropped', 80, 120, 160, 160]);
  });

  it('gives pictures strictly increasing decode times', () => {
    const splicer = new FlvSplicer();
    expect(run(splicer, [key(0), inter(0), inter(40)])).toEqual([0, 1, 40]);
  });

  it('restarts an audio-only source at any audio frame', () => {
    const splicer = new FlvSplicer(20);
    expect(run(splicer, [aac(0), aac(23)])).toEqual([0, 23]);
    splicer.restart();
    expect(run(splicer, [aac(5000), aac(5023)])).toEqual([43, 66]);
  });
});
