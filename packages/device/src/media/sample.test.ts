import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeScriptData,
  FLV_TAG_VIDEO,
  isAvcEndOfSequence,
  isAvcSequenceHeader,
  parseFlv,
  startsGop,
} from '@xp2p/protocol';
import { bundledSamplePath } from './sample.js';

describe('bundledSamplePath', () => {
  it('points at the 10 s 640x360 30 fps H.264 + AAC sample, <= 1.5 MB, with 1 s GOPs', () => {
    const path = bundledSamplePath();
    expect(path.endsWith('/packages/device/assets/sample.flv')).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).size).toBeLessThanOrEqual(1.5 * 1024 * 1024);

    const { header, tags } = parseFlv(new Uint8Array(readFileSync(path)));
    expect(header).toEqual({ audio: true, video: true });
    expect(decodeScriptData(tags[0]!.data).value).toMatchObject({
      width: 640,
      height: 360,
      framerate: 30,
      videocodecid: 7,
      audiocodecid: 10,
      audiosamplerate: 44100,
      stereo: true,
    });
    const frames = tags.filter((t) => t.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(t) && !isAvcEndOfSequence(t));
    expect(frames).toHaveLength(300);
    expect(frames.flatMap((t, i) => (startsGop(t) ? [i] : []))).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
  });
});
