import { describe, expect, it } from 'vitest';
import { base64Encode } from '../bytes.js';
import { encodeRelayFrame, parseRelayFrame, RELAY_BINARY_MAX_BYTES, type RelayFrame } from './start-relay-binary.js';
import { START_RELAY_MAX_SEQ } from './start-relay.js';

const KEY = base64Encode(new Uint8Array(65).fill(4)); // a raw uncompressed P-256 key's length
const frame = (over: Partial<RelayFrame> = {}): RelayFrame => ({
  type: 'relay',
  sessionId: 'relay-abcdefgh',
  seq: 0,
  data: new Uint8Array(40).map((_, i) => i),
  ...over,
});

describe('binary relay frames', () => {
  it('round-trip with and without the camera key, and cost 22 bytes over the ciphertext without it', () => {
    for (const f of [frame({ key: KEY }), frame({ seq: START_RELAY_MAX_SEQ })]) {
      const bytes = encodeRelayFrame(f);
      expect(parseRelayFrame(bytes)).toEqual({ ok: true, message: f });
    }
    expect(encodeRelayFrame(frame({ seq: 5 })).byteLength - 40).toBe(2 + 'relay-abcdefgh'.length + 5);
  });

  it('refuses whatever is not exactly a relay frame, with a reason', () => {
    const good = encodeRelayFrame(frame({ key: KEY }));
    const bad = (edit: (b: Uint8Array) => Uint8Array) => parseRelayFrame(edit(good.slice()));
    const reasons = [
      bad((b) => ((b[0] = 0x7b), b)), // '{': JSON sent as binary
      bad((b) => b.subarray(0, 10)),
      bad((b) => ((b[3] = 0x2f), b)), // '/' in the id
      bad((b) => ((b[1] = 4), b)), // an id too short
      bad((b) => (new DataView(b.buffer).setUint32(16, START_RELAY_MAX_SEQ + 1), b)),
      bad((b) => ((b[20] = 64), b)), // a key of another length
      bad((b) => b.subarray(0, 21 + 65 + 16)), // less ciphertext than a GCM tag and a kind byte
      bad(() => new Uint8Array(RELAY_BINARY_MAX_BYTES + 1)),
    ];
    for (const r of reasons) expect(r.ok).toBe(false);
    expect(reasons.map((r) => (r.ok ? '' : r.error))).toEqual([
      'invalid relay frame: not a relay frame',
      'invalid relay frame: cut short',
      'invalid relay frame: bad relay id',
      'invalid relay frame: bad relay id',
      'invalid relay frame: frame number out of range',
      'invalid relay frame: bad key length',
      'invalid relay frame: bad ciphertext length',
      `invalid relay frame: over ${RELAY_BINARY_MAX_BYTES} bytes`,
    ]);
  });
});
