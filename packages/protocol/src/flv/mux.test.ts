import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeScriptData } from './amf0.js';
import { parseFlv } from './demux.js';
import { isScriptTag } from './inspect.js';
import { encodeFlvHeader, encodeFlvTag } from './mux.js';
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO } from './tag.js';
import { concatBytes } from '../bytes.js';

/** The golden fixtures (see fixtures/make-fixtures.sh). */
const fixtureNames = ['av', 'video-only'] as const;
const readFixture = (name: (typeof fixtureNames)[number]): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}.flv`, import.meta.url)));

describe('encodeFlvHeader', () => {
  it('writes the 9-byte header and a zero PreviousTagSize0', () => {
    expect([...encodeFlvHeader({ audio: true, video: true })]).toEqual([
      0x46, 0x4c, 0x56, 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0,
    ]);
    expect(encodeFlvHeader({ audio: false, video: true })[4]).toBe(0x01);
    expect(encodeFlvHeader({ audio: true, video: false })[4]).toBe(0x04);
  });
});

describe('encodeFlvTag', () => {
  it('splits a 32-bit timestamp into the 24-bit field and the extended byte', () => {
    const bytes = encodeFlvTag({ type: FLV_TAG_AUDIO, timestamp: 0x12345678, data: Uint8Array.of(0xaf, 1, 9) });
    expect([...bytes]).toEqual([8, 0, 0, 3, 0x34, 0x56, 0x78, 0x12, 0, 0, 0, 0xaf, 1, 9, 0, 0, 0, 14]);
  });

  it('rejects negative or fractional timestamps', () => {
    expect(() => encodeFlvTag({ type: FLV_TAG_VIDEO, timestamp: -1, data: new Uint8Array(1) })).toThrow(RangeError);
    expect(() => encodeFlvTag({ type: FLV_TAG_VIDEO, timestamp: 1.5, data: new Uint8Array(1) })).toThrow(RangeError);
  });
});

describe('mux(demux(x))', () => {
  for (const name of fixtureNames) {
    it(`${name}: is byte-identical to the original file`, () => {
      const original = readFixture(name);
      const { header, tags } = parseFlv(original);
      const remuxed = concatBytes([encodeFlvHeader(header), ...tags.map(encodeFlvTag)]);
      expect(remuxed).toEqual(original);
    });
  }

  it('a file with our own onMetaData and rewritten timestamps decodes in ffprobe', () => {
    const { header, tags } = parseFlv(readFixture('av'));
    const meta = encodeScriptData('onMetaData', { width: 160, height: 120, encoder: 'xp2p-test', stereo: false });
    const shifted = tags.filter((t) => !isScriptTag(t)).map((t) => ({ ...t, timestamp: t.timestamp + 0x1000000 }));
    const bytes = concatBytes([
      encodeFlvHeader(header),
      encodeFlvTag({ type: FLV_TAG_SCRIPT, timestamp: 0, data: meta }),
      ...shifted.map(encodeFlvTag),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'flv-mux-'));
    try {
      const file = join(dir, 'out.flv');
      writeFileSync(file, bytes);
      const out = JSON.parse(
        execFileSync('ffprobe', ['-v', 'error', '-show_packets', '-show_format', '-of', 'json', file], {
          encoding: 'utf8',
        }),
      ) as { packets: { codec_type: string; dts: number }[]; format: { tags?: Record<string, string> } };
      expect(out.format.tags?.encoder).toBe('xp2p-test');
      const video = out.packets.filter((p) => p.codec_type === 'video');
      expect(video).toHaveLength(30);
      // 0x1000000 ms past the start: proves the extended timestamp byte is written and read back.
      expect(video[0]!.dts).toBe(0x1000000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
