/**
 * A relay frame (start-relay.ts) as one binary WebSocket message, camera → node → viewer. JSON carried the
 * ciphertext in base64: a third more bytes on the path whose first TCP window (~14 KB, RFC 6928) decides
 * when the keyframe arrives. Binary, the node still parses and checks every frame (its id, number, key
 * and size) and forwards the ciphertext it cannot read; every other signalling message stays JSON text.
 *
 *   byte 0        RELAY_BINARY_TAG (what the message is, and its layout's version)
 *   byte 1        n: length of the relay id (8–64)
 *   n bytes       the relay id, ASCII [A-Za-z0-9_-]
 *   4 bytes       seq, unsigned big-endian (< START_RELAY_MAX_SEQ)
 *   byte          k: 0, or 65 on frame 0: the camera's raw uncompressed P-256 public key follows
 *   k bytes       the key
 *   the rest      AES-GCM ciphertext and tag (start-relay-crypto.ts): 17 bytes at least
 */
import { base64Decode, base64Encode } from '../bytes.js';
import { START_RELAY_FRAME_MAX_BYTES, START_RELAY_MAX_SEQ } from './start-relay.js';

/** First byte of a binary relay frame ('R'); any other first byte is not a message this version knows. */
export const RELAY_BINARY_TAG = 0x52;
const KEY_BYTES = 65;
/** kind byte + GCM tag: the smallest sealed frame */
const MIN_SEALED = 17;
const MAX_SEALED = 1 + START_RELAY_FRAME_MAX_BYTES + 16;
/** The largest binary relay frame: well under SIGNAL_MAX_BYTES. */
export const RELAY_BINARY_MAX_BYTES = 2 + 64 + 4 + 1 + KEY_BYTES + MAX_SEALED;

/** One sealed frame, camera → node → viewer. */
export interface RelayFrame {
  type: 'relay';
  sessionId: string;
  seq: number;
  /** the camera's ECDH public key (base64, as in start-relay-crypto.ts), on frame 0 only */
  key?: string;
  /** AES-GCM ciphertext and tag */
  data: Uint8Array;
}

const ID_CHAR = /^[A-Za-z0-9_-]{8,64}$/;

/** messages.ts's ParseResult, spelled out (messages.ts imports RelayFrame from here) */
type RelayParse = { ok: true; message: RelayFrame } | { ok: false; error: string };

export function encodeRelayFrame(frame: RelayFrame): Uint8Array {
  const id = new TextEncoder().encode(frame.sessionId);
  const key = frame.key === undefined ? new Uint8Array(0) : base64Decode(frame.key);
  const out = new Uint8Array(2 + id.byteLength + 5 + key.byteLength + frame.data.byteLength);
  const view = new DataView(out.buffer);
  out[0] = RELAY_BINARY_TAG;
  out[1] = id.byteLength;
  out.set(id, 2);
  let at = 2 + id.byteLength;
  view.setUint32(at, frame.seq);
  out[at + 4] = key.byteLength;
  out.set(key, at + 5);
  at += 5 + key.byteLength;
  out.set(frame.data, at);
  return out;
}

/** Size-checks and parses one binary message as a relay frame. Never throws. */
export function parseRelayFrame(bytes: Uint8Array): RelayParse {
  const fail = (error: string): RelayParse => ({ ok: false, error: `invalid relay frame: ${error}` });
  if (bytes.byteLength > RELAY_BINARY_MAX_BYTES) return fail(`over ${RELAY_BINARY_MAX_BYTES} bytes`);
  if (bytes.byteLength < 2 || bytes[0] !== RELAY_BINARY_TAG) return fail('not a relay frame');
  const n = bytes[1]!;
  const keyAt = 2 + n + 4;
  if (bytes.byteLength < keyAt + 1) return fail('cut short');
  const sessionId = String.fromCharCode(...bytes.subarray(2, 2 + n));
  if (!ID_CHAR.test(sessionId)) return fail('bad relay id');
  const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(2 + n);
  if (seq > START_RELAY_MAX_SEQ) return fail('frame number out of range');
  const k = bytes[keyAt]!;
  if (k !== 0 && k !== KEY_BYTES) return fail('bad key length');
  const data = bytes.slice(keyAt + 1 + k);
  if (data.byteLength < MIN_SEALED || data.byteLength > MAX_SEALED) return fail('bad ciphertext length');
  const frame: RelayFrame = { type: 'relay', sessionId, seq, data };
  if (k > 0) frame.key = base64Encode(bytes.subarray(keyAt + 1, keyAt + 1 + k));
  return { ok: true, message: frame };
}
