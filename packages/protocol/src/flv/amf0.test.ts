import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeScriptData, encodeScriptData } from './amf0.js';
import { parseFlv } from './demux.js';
import { FlvFormatError } from './tag.js';

const readFixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}.flv`, import.meta.url)));

/** Builds AMF0 bytes by hand so decoding is checked against the spec, not against our encoder. */
const str = (s: string): number[] => [0x02, 0, s.length, ...[...s].map((c) => c.charCodeAt(0))];
const key = (s: string): number[] => [0, s.length, ...[...s].map((c) => c.charCodeAt(0))];
const num = (n: number): number[] => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, n);
  return [0x00, ...new Uint8Array(v.buffer)];
};
const END = [0, 0, 0x09];

describe('decodeScriptData', () => {
  it("reads ffmpeg's onMetaData from the fixture with exact values", () => {
    const { tags } = parseFlv(readFixture('av'));
    const { name, value } = decodeScriptData(tags[0]!.data);
    expect(name).toBe('onMetaData');
    expect(value).toMatchObject({
      width: 160,
      height: 120,
      framerate: 15,
      videocodecid: 7,
      audiocodecid: 10,
      audiosamplerate: 22050,
      audiosamplesize: 16,
      stereo: false,
      filesize: 25205,
    });
    expect((value as { encoder: string }).encoder).toMatch(/^Lavf/);
  });

  it('reads every FLV value type: object, strict array, null, undefined, date, long string', () => {
    const long = 'x'.repeat(70_000);
    const bytes = Uint8Array.from([
      ...str('onCuePoint'),
      0x03, // object
      ...key('list'),
      ...[0x0a, 0, 0, 0, 3, ...num(1), 0x01, 1, 0x05], // strict array [1, true, null]
      ...key('nested'),
      ...[0x03, ...key('u'), 0x06, ...END], // { u: undefined }
      ...key('when'),
      ...[0x0b, ...num(1_700_000_000_000).slice(1), 0, 0], // date + time zone
      ...key('long'),
      ...[0x0c, 0, 0x01, 0x11, 0x70, ...new Array<number>(70_000).fill(0x78)],
      ...key('__proto__'),
      ...num(5),
      ...END,
    ]);
    const { name, value } = decodeScriptData(bytes);
    expect(name).toBe('onCuePoint');
    const v = value as Record<string, unknown>;
    expect(v.list).toEqual([1, true, null]);
    expect(v.nested).toEqual({ u: undefined });
    expect('u' in (v.nested as object)).toBe(true);
    expect(v.when).toEqual(new Date(1_700_000_000_000));
    expect(v.long).toBe(long);
    // A "__proto__" key is data, never a prototype change.
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toBe(5);
  });

  it('rejects truncated, unknown-type, huge-count and deeply nested input', () => {
    const meta = encodeScriptData('onMetaData', { a: 1 });
    const nameOnly = str('onMetaData').length; // a name with no value is valid (value undefined)
    expect(decodeScriptData(meta.subarray(0, nameOnly))).toEqual({ name: 'onMetaData', value: undefined });
    for (let n = 1; n < meta.length; n++) {
      if (n === nameOnly) continue;
      expect(() => decodeScriptData(meta.subarray(0, n))).toThrow(FlvFormatError);
    }
    expect(() => decodeScriptData(Uint8Array.from([...str('x'), 0x0d]))).toThrow(/unsupported AMF0 type 13/);
    expect(() => decodeScriptData(Uint8Array.from([...str('x'), 0x0a, 0xff, 0xff, 0xff, 0xff]))).toThrow(
      /exceeds the data/,
    );
    const nestedArrays = new Array<number[]>(10_000).fill([0x0a, 0, 0, 0, 1]).flat(); // [[[[...]]]]
    expect(() => decodeScriptData(Uint8Array.from([...str('x'), ...nestedArrays]))).toThrow(/nested too deeply/);
    expect(() => decodeScriptData(Uint8Array.from(num(1)))).toThrow(/name string/);
  });
});

describe('encodeScriptData', () => {
  it('writes an ECMA array with the exact AMF0 bytes ffmpeg uses', () => {
    const bytes = encodeScriptData('onMetaData', { w: 2, s: true, e: 'ab' });
    expect([...bytes]).toEqual([
      ...str('onMetaData'),
      ...[0x08, 0, 0, 0, 3],
      ...key('w'),
      ...num(2),
      ...key('s'),
      ...[0x01, 1],
      ...key('e'),
      ...str('ab'),
      ...END,
    ]);
  });

  it('round-trips through decodeScriptData, including unicode and long strings', () => {
    const value = { duration: 12.5, hasAudio: false, title: 'caméra ☃', blob: 'y'.repeat(66_000) };
    expect(decodeScriptData(encodeScriptData('onMetaData', value))).toEqual({ name: 'onMetaData', value });
  });
});
