/**
 * STUN message codec (RFC 8489): header, attributes, (XOR-)MAPPED-ADDRESS and FINGERPRINT, plus the
 * RFC 5780 attribute numbers. Pure functions over bytes; anything malformed decodes to `undefined`, never
 * throws. The server's STUN service and the viewer's NAT probe both use it.
 */
import { crc32 } from './crc32.js';
import { formatIp, parseIp } from './ip-address.js';

/** RFC 8489 §5 */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_BYTES = 20;
export const TRANSACTION_ID_BYTES = 12;

export const StunMethod = { binding: 0x001 } as const;
/** RFC 8489 §5: the two class bits C1 C0 */
export const StunClass = { request: 0b00, indication: 0b01, successResponse: 0b10, errorResponse: 0b11 } as const;
/** RFC 8489 §18.3 */
export const StunAttr = {
  mappedAddress: 0x0001,
  /** RFC 5780 §7.2 */
  changeRequest: 0x0003,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  xorMappedAddress: 0x0020,
  software: 0x8022,
  fingerprint: 0x8028,
  /** RFC 5780 §7.3 */
  responseOrigin: 0x802b,
  /** RFC 5780 §7.4 */
  otherAddress: 0x802c,
} as const;

/** RFC 8489 §14.7: the CRC is XORed with this so STUN stays distinguishable from other CRC-protected data. */
const FINGERPRINT_XOR = 0x5354554e;

export interface StunAttribute {
  type: number;
  value: Uint8Array;
}

export interface StunMessage {
  method: number;
  cls: number;
  transactionId: Uint8Array;
  attributes: StunAttribute[];
  /** true when the message carried a FINGERPRINT (which, if present, was checked) */
  hasFingerprint: boolean;
}

export interface TransportAddress {
  family: 'IPv4' | 'IPv6';
  address: string;
  port: number;
}

/** RFC 8489 §5: method bits M0–M11 are interleaved with the class bits C0 (bit 4) and C1 (bit 8). */
export function encodeMessageType(method: number, cls: number): number {
  return (
    ((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f) | ((cls & 0b10) << 7) | ((cls & 0b01) << 4)
  );
}

export function decodeMessageType(type: number): { method: number; cls: number } {
  return {
    method: ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f),
    cls: ((type & 0x0100) >> 7) | ((type & 0x0010) >> 4),
  };
}

const padded = (n: number): number => (n + 3) & ~3;
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

function fingerprintOf(messageUpToFingerprint: Uint8Array): number {
  return (crc32(messageUpToFingerprint) ^ FINGERPRINT_XOR) >>> 0;
}

export function decodeStunMessage(input: Uint8Array): StunMessage | undefined {
  // A plain Uint8Array view, so a Node Buffer's slices come out as Uint8Array too.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < HEADER_BYTES) return undefined;
  const dv = view(bytes);
  const type = dv.getUint16(0);
  const length = dv.getUint16(2);
  // §6: the two most significant bits are zero; the length excludes the header and is a multiple of 4.
  if (type & 0xc000 || length % 4 !== 0 || length !== bytes.length - HEADER_BYTES) return undefined;
  if (dv.getUint32(4) !== MAGIC_COOKIE) return undefined;
  const attributes: StunAttribute[] = [];
  let hasFingerprint = false;
  for (let offset = HEADER_BYTES; offset < bytes.length;) {
    if (hasFingerprint) return undefined; // §14.7: FINGERPRINT must be the last attribute
    if (offset + 4 > bytes.length) return undefined;
    const attrType = dv.getUint16(offset);
    const attrLength = dv.getUint16(offset + 2);
    const end = offset + 4 + attrLength;
    if (offset + 4 + padded(attrLength) > bytes.length) return undefined;
    const value = bytes.subarray(offset + 4, end);
    if (attrType === StunAttr.fingerprint) {
      if (attrLength !== 4 || view(value).getUint32(0) !== fingerprintOf(bytes.subarray(0, offset))) return undefined;
      hasFingerprint = true;
    } else attributes.push({ type: attrType, value });
    offset += 4 + padded(attrLength);
  }
  const { method, cls } = decodeMessageType(type);
  return { method, cls, transactionId: bytes.slice(8, HEADER_BYTES), attributes, hasFingerprint };
}

/** Builds a message; with `fingerprint`, appends FINGERPRINT computed over everything before it (§14.7). */
export function encodeStunMessage(
  message: { method: number; cls: number; transactionId: Uint8Array; attributes: StunAttribute[] },
  options: { fingerprint?: boolean } = {},
): Uint8Array {
  if (message.transactionId.length !== TRANSACTION_ID_BYTES) throw new RangeError('transaction id must be 12 bytes');
  const attrBytes = message.attributes.reduce((n, a) => n + 4 + padded(a.value.length), 0);
  const total = HEADER_BYTES + attrBytes + (options.fingerprint ? 8 : 0);
  const out = new Uint8Array(total);
  const dv = view(out);
  dv.setUint16(0, encodeMessageType(message.method, message.cls));
  dv.setUint16(2, total - HEADER_BYTES);
  dv.setUint32(4, MAGIC_COOKIE);
  out.set(message.transactionId, 8);
  let offset = HEADER_BYTES;
  for (const a of message.attributes) {
    dv.setUint16(offset, a.type);
    dv.setUint16(offset + 2, a.value.length);
    out.set(a.value, offset + 4);
    offset += 4 + padded(a.value.length); // padding bytes stay zero
  }
  if (options.fingerprint) {
    dv.setUint16(offset, StunAttr.fingerprint);
    dv.setUint16(offset + 2, 4);
    // The length field already counts the FINGERPRINT attribute, as §14.7 requires.
    dv.setUint32(offset + 4, fingerprintOf(out.subarray(0, offset)));
  }
  return out;
}

/** The mask XOR-MAPPED-ADDRESS applies (§14.2): magic cookie, then for IPv6 also the transaction id. */
function addressMask(transactionId: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16);
  view(mask).setUint32(0, MAGIC_COOKIE);
  mask.set(transactionId, 4);
  return mask;
}

/** The value of an XOR-MAPPED-ADDRESS attribute (RFC 8489 §14.2). */
export function encodeXorMappedAddress(
  address: { address: string; port: number },
  transactionId: Uint8Array,
): Uint8Array {
  const ip = parseIp(address.address);
  if (!ip) throw new RangeError(`not an IP address: ${address.address}`);
  const out = new Uint8Array(4 + ip.length);
  const dv = view(out);
  dv.setUint8(1, ip.length === 4 ? 0x01 : 0x02);
  dv.setUint16(2, address.port ^ (MAGIC_COOKIE >>> 16));
  const mask = addressMask(transactionId);
  ip.forEach((b, i) => (out[4 + i] = b ^ (mask[i] ?? 0)));
  return out;
}

export function decodeXorMappedAddress(value: Uint8Array, transactionId: Uint8Array): TransportAddress | undefined {
  return decodeAddressValue(value, transactionId);
}

/** MAPPED-ADDRESS, and RFC 5780's OTHER-ADDRESS and RESPONSE-ORIGIN, which share its layout (§14.1). */
export function decodeMappedAddress(value: Uint8Array): TransportAddress | undefined {
  return decodeAddressValue(value);
}

function decodeAddressValue(value: Uint8Array, xorWith?: Uint8Array): TransportAddress | undefined {
  if (value.length < 4) return undefined;
  const dv = view(value);
  const family = dv.getUint8(1);
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length !== 4 + size) return undefined;
  const mask = xorWith ? addressMask(xorWith) : new Uint8Array(16);
  const ip = value.slice(4).map((b, i) => b ^ (mask[i] ?? 0));
  return {
    family: size === 4 ? 'IPv4' : 'IPv6',
    address: formatIp(ip),
    port: dv.getUint16(2) ^ (xorWith ? MAGIC_COOKIE >>> 16 : 0),
  };
}
