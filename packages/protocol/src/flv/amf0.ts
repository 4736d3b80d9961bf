/**
 * AMF0, as used in FLV script tags (e.g. `onMetaData`). Decoding covers every type FLV writers
 * emit; encoding covers the flat name/value records we write ourselves. Malformed input throws
 * FlvFormatError and never allocates more than the input could describe.
 */
import { FlvFormatError } from './tag.js';

const enum Amf0 {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  Null = 0x05,
  Undefined = 0x06,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
}

/** Nesting deeper than this is not real metadata; the cap keeps garbage from overflowing the stack. */
const MAX_DEPTH = 32;

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }
  private need(n: number): number {
    if (n > this.remaining) throw new FlvFormatError('truncated AMF0 data');
    const at = this.offset;
    this.offset += n;
    return at;
  }
  u8 = (): number => this.view.getUint8(this.need(1));
  u16 = (): number => this.view.getUint16(this.need(2));
  u32 = (): number => this.view.getUint32(this.need(4));
  i16 = (): number => this.view.getInt16(this.need(2));
  f64 = (): number => this.view.getFloat64(this.need(8));
  utf8(n: number): string {
    const at = this.need(n);
    return textDecoder.decode(this.bytes.subarray(at, at + n));
  }
}

/** Assigns without going through setters, so a "__proto__" key cannot alter the prototype. */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function readProperties(r: Reader, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (;;) {
    const key = r.utf8(r.u16());
    if (key === '') {
      // An empty key followed by the object-end marker closes the object.
      const marker = r.u8();
      if (marker === Amf0.ObjectEnd) return out;
      throw new FlvFormatError(`AMF0 object: expected end marker, got type ${marker}`);
    }
    defineEntry(out, key, readValue(r, depth + 1));
  }
}

function readValue(r: Reader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new FlvFormatError('AMF0 data nested too deeply');
  const type = r.u8();
  switch (type) {
    case Amf0.Number:
      return r.f64();
    case Amf0.Boolean:
      return r.u8() !== 0;
    case Amf0.String:
      return r.utf8(r.u16());
    case Amf0.LongString:
      return r.utf8(r.u32());
    case Amf0.Object:
      return readProperties(r, depth);
    case Amf0.EcmaArray:
      r.u32(); // approximate count; the end marker is authoritative (writers often get it wrong)
      return readProperties(r, depth);
    case Amf0.StrictArray: {
      const count = r.u32();
      // Every value takes at least one byte, so a count beyond the input is corrupt.
      if (count > r.remaining) throw new FlvFormatError(`AMF0 strict array of ${count} items exceeds the data`);
      const items: unknown[] = [];
      for (let i = 0; i < count; i++) items.push(readValue(r, depth + 1));
      return items;
    }
    case Amf0.Date: {
      const ms = r.f64();
      r.i16(); // time zone: reserved, should be 0
      return new Date(ms);
    }
    case Amf0.Null:
      return null;
    case Amf0.Undefined:
      return undefined;
    default:
      throw new FlvFormatError(`unsupported AMF0 type ${type}`);
  }
}

/** A script tag body: an AMF0 string (the name, e.g. "onMetaData") then one AMF0 value. */
export function decodeScriptData(data: Uint8Array): { name: string; value: unknown } {
  const r = new Reader(data);
  const name = readValue(r, 0);
  if (typeof name !== 'string') throw new FlvFormatError('script data does not start with a name string');
  const value = r.remaining > 0 ? readValue(r, 0) : undefined;
  return { name, value };
}

class Writer {
  private readonly parts: number[] = [];
  private readonly scratch = new DataView(new ArrayBuffer(8));
  u8(n: number): void {
    this.parts.push(n & 0xff);
  }
  u16(n: number): void {
    this.parts.push((n >>> 8) & 0xff, n & 0xff);
  }
  u32(n: number): void {
    this.parts.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }
  f64(n: number): void {
    this.scratch.setFloat64(0, n);
    for (let i = 0; i < 8; i++) this.parts.push(this.scratch.getUint8(i));
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  /** A key or short string body (u16 length prefix, no type marker). */
  shortUtf8(s: string): void {
    const b = textEncoder.encode(s);
    if (b.byteLength > 0xffff) throw new RangeError('AMF0 key longer than 65535 bytes');
    this.u16(b.byteLength);
    this.bytes(b);
  }
  string(s: string): void {
    const b = textEncoder.encode(s);
    if (b.byteLength > 0xffff) {
      this.u8(Amf0.LongString);
      this.u32(b.byteLength);
    } else {
      this.u8(Amf0.String);
      this.u16(b.byteLength);
    }
    this.bytes(b);
  }
  result(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/**
 * Encodes `name` + an ECMA array of flat values, the same shape ffmpeg writes for onMetaData,
 * so every FLV player reads it.
 */
export function encodeScriptData(name: string, value: Record<string, number | boolean | string>): Uint8Array {
  const w = new Writer();
  w.string(name);
  const entries = Object.entries(value);
  w.u8(Amf0.EcmaArray);
  w.u32(entries.length);
  for (const [key, v] of entries) {
    if (key === '') throw new RangeError('AMF0 keys cannot be empty (an empty key ends the object)');
    w.shortUtf8(key);
    if (typeof v === 'number') {
      w.u8(Amf0.Number);
      w.f64(v);
    } else if (typeof v === 'boolean') {
      w.u8(Amf0.Boolean);
      w.u8(v ? 1 : 0);
    } else {
      w.string(v);
    }
  }
  w.u16(0);
  w.u8(Amf0.ObjectEnd);
  return w.result();
}
