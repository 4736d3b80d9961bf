/**
 * A STUN Binding client codec (RFC 8489) with the NAT-behaviour-discovery attributes of RFC 5780.
 * Pure functions over bytes, no I/O: requests are built here, responses decoded here; anything malformed
 * decodes to `undefined`, never throws. (The server has its own codec; packages do not share source.)
 */

/** RFC 8489 §5 */
export const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const BINDING = 0x001;
const CLASS_REQUEST = 0b00;
const CLASS_SUCCESS = 0b10;
const CLASS_ERROR = 0b11;

/** RFC 8489 §18.3, RFC 5780 §7 */
export const StunAttribute = {
  mappedAddress: 0x0001,
  /** RFC 5780 §7.2 */
  changeRequest: 0x0003,
  errorCode: 0x0009,
  xorMappedAddress: 0x0020,
  software: 0x8022,
  fingerprint: 0x8028,
  /** RFC 5780 §7.3 */
  responseOrigin: 0x802b,
  /** RFC 5780 §7.4 */
  otherAddress: 0x802c,
} as const;

export interface Endpoint {
  address: string;
  port: number;
}

export interface BindingResponse {
  transactionId: Uint8Array;
  /** XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (RFC 3489 servers) */
  mapped?: Endpoint;
  /** RFC 5780 OTHER-ADDRESS: where the server answers from when asked to change IP and port */
  otherAddress?: Endpoint;
  /** RFC 5780 RESPONSE-ORIGIN: where this response was sent from */
  responseOrigin?: Endpoint;
  /** error responses: the ERROR-CODE (e.g. 420 when CHANGE-REQUEST is not supported) */
  error?: { code: number; reason: string };
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const padded = (n: number) => (n + 3) & ~3;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** RFC 8489 §14.7 */
const fingerprintOf = (bytes: Uint8Array) => (crc32(bytes) ^ 0x5354554e) >>> 0;

/** RFC 8489 §5: method and class bits interleaved */
const messageType = (method: number, cls: number) =>
  ((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f) | ((cls & 0b10) << 7) | ((cls & 0b01) << 4);

export function newTransactionId(random: (n: number) => Uint8Array = defaultRandom): Uint8Array {
  return random(12);
}
function defaultRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/**
 * A Binding request (RFC 8489 §6.1) with FINGERPRINT; with `change`, a CHANGE-REQUEST attribute asking an
 * RFC 5780 server to answer from its other IP and/or port (RFC 5780 §7.2: bit 0x4 change IP, 0x2 port).
 */
export function encodeBindingRequest(
  transactionId: Uint8Array,
  change: { ip?: boolean; port?: boolean } = {},
): Uint8Array {
  if (transactionId.length !== 12) throw new RangeError('transaction id must be 12 bytes');
  const withChange = change.ip || change.port;
  const length = (withChange ? 8 : 0) + 8;
  const out = new Uint8Array(HEADER_BYTES + length);
  const dv = view(out);
  dv.setUint16(0, messageType(BINDING, CLASS_REQUEST));
  dv.setUint16(2, length);
  dv.setUint32(4, MAGIC_COOKIE);
  out.set(transactionId, 8);
  let o = HEADER_BYTES;
  if (withChange) {
    dv.setUint16(o, StunAttribute.changeRequest);
    dv.setUint16(o + 2, 4);
    dv.setUint32(o + 4, (change.ip ? 0x4 : 0) | (change.port ? 0x2 : 0));
    o += 8;
  }
  dv.setUint16(o, StunAttribute.fingerprint);
  dv.setUint16(o + 2, 4);
  dv.setUint32(o + 4, fingerprintOf(out.subarray(0, o)));
  return out;
}

function formatAddress(ip: Uint8Array): string {
  if (ip.length === 4) return Array.from(ip).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (((ip[2 * i] ?? 0) << 8) | (ip[2 * i + 1] ?? 0)).toString(16));
  // RFC 5952 compression of the longest run of zero groups
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** MAPPED-ADDRESS / OTHER-ADDRESS / RESPONSE-ORIGIN (§14.1 layout); with `xorWith`, XOR-MAPPED-ADDRESS (§14.2). */
export function decodeAddress(value: Uint8Array, xorWith?: Uint8Array): Endpoint | undefined {
  if (value.length < 4) return undefined;
  const dv = view(value);
  const family = dv.getUint8(1);
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (!size || value.length !== 4 + size) return undefined;
  let port = dv.getUint16(2);
  const ip = value.slice(4);
  if (xorWith) {
    port ^= MAGIC_COOKIE >>> 16;
    const mask = new Uint8Array(16);
    view(mask).setUint32(0, MAGIC_COOKIE);
    mask.set(xorWith, 4);
    ip.forEach((b, i) => (ip[i] = b ^ (mask[i] ?? 0)));
  }
  return { address: formatAddress(ip), port };
}

/**
 * Decodes a Binding success or error response. Returns undefined for anything else (requests,
 * indications, other methods, bad FINGERPRINT, malformed attributes).
 */
export function decodeBindingResponse(input: Uint8Array): BindingResponse | undefined {
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < HEADER_BYTES) return undefined;
  const dv = view(bytes);
  const type = dv.getUint16(0);
  const length = dv.getUint16(2);
  if (type & 0xc000 || length % 4 !== 0 || length !== bytes.length - HEADER_BYTES) return undefined;
  if (dv.getUint32(4) !== MAGIC_COOKIE) return undefined;
  const isSuccess = type === messageType(BINDING, CLASS_SUCCESS);
  const isError = type === messageType(BINDING, CLASS_ERROR);
  if (!isSuccess && !isError) return undefined;
  const transactionId = bytes.slice(8, HEADER_BYTES);
  const out: BindingResponse = { transactionId };
  let mapped: Endpoint | undefined;
  let xorMapped: Endpoint | undefined;
  let sawFingerprint = false;
  for (let o = HEADER_BYTES; o < bytes.length;) {
    if (sawFingerprint || o + 4 > bytes.length) return undefined;
    const attr = dv.getUint16(o);
    const len = dv.getUint16(o + 2);
    if (o + 4 + padded(len) > bytes.length) return undefined;
    const value = bytes.subarray(o + 4, o + 4 + len);
    switch (attr) {
      case StunAttribute.fingerprint:
        if (len !== 4 || view(value).getUint32(0) !== fingerprintOf(bytes.subarray(0, o))) return undefined;
        sawFingerprint = true;
        break;
      case StunAttribute.xorMappedAddress:
        xorMapped = decodeAddress(value, transactionId);
        break;
      case StunAttribute.mappedAddress:
        mapped = decodeAddress(value);
        break;
      case StunAttribute.otherAddress:
        out.otherAddress = decodeAddress(value);
        break;
      case StunAttribute.responseOrigin:
        out.responseOrigin = decodeAddress(value);
        break;
      case StunAttribute.errorCode:
        if (len >= 4) {
          out.error = {
            code: (value[2] ?? 0) * 100 + (value[3] ?? 0),
            reason: new TextDecoder().decode(value.subarray(4)),
          };
        }
        break;
    }
    o += 4 + padded(len);
  }
  const m = xorMapped ?? mapped;
  if (m) out.mapped = m;
  if (isError && !out.error) out.error = { code: 0, reason: 'error response without ERROR-CODE' };
  return out;
}

export const sameTransactionId = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
