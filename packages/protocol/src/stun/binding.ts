/**
 * The client's view of STUN (RFC 8489, with RFC 5780's CHANGE-REQUEST / OTHER-ADDRESS /
 * RESPONSE-ORIGIN): Binding requests and responses, built on the protocol package's STUN codec, which
 * the server's STUN service uses too. The sdk's NAT probe and the camera's NAT watch both use it. Anything
 * malformed decodes to `undefined`, never throws.
 */

import {
  decodeMappedAddress,
  decodeStunMessage,
  decodeXorMappedAddress,
  encodeStunMessage,
  StunAttr,
  StunClass,
  StunMethod,
} from './message.js';

export interface StunEndpoint {
  address: string;
  port: number;
}

export interface BindingResponse {
  transactionId: Uint8Array;
  /** XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (RFC 3489 servers) */
  mapped?: StunEndpoint;
  /** RFC 5780 OTHER-ADDRESS: where the server answers from when asked to change IP and port */
  otherAddress?: StunEndpoint;
  /** RFC 5780 RESPONSE-ORIGIN: where this response was sent from */
  responseOrigin?: StunEndpoint;
  /** error responses: the ERROR-CODE (e.g. 420 when CHANGE-REQUEST is not supported) */
  error?: { code: number; reason: string };
}

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
  const attributes = [];
  if (change.ip || change.port) {
    const value = new Uint8Array(4);
    new DataView(value.buffer).setUint32(0, (change.ip ? 0x4 : 0) | (change.port ? 0x2 : 0));
    attributes.push({ type: StunAttr.changeRequest, value });
  }
  return encodeStunMessage(
    { method: StunMethod.binding, cls: StunClass.request, transactionId, attributes },
    { fingerprint: true },
  );
}

/** MAPPED-ADDRESS / OTHER-ADDRESS / RESPONSE-ORIGIN (§14.1 layout); with `xorWith`, XOR-MAPPED-ADDRESS (§14.2). */
export function decodeAddress(value: Uint8Array, xorWith?: Uint8Array): StunEndpoint | undefined {
  const a = xorWith ? decodeXorMappedAddress(value, xorWith) : decodeMappedAddress(value);
  return a && { address: a.address, port: a.port };
}

/**
 * Decodes a Binding success or error response. Returns undefined for anything else (requests,
 * indications, other methods, bad FINGERPRINT, malformed attributes).
 */
export function decodeBindingResponse(input: Uint8Array): BindingResponse | undefined {
  const message = decodeStunMessage(input);
  if (!message || message.method !== StunMethod.binding) return undefined;
  const isError = message.cls === StunClass.errorResponse;
  if (message.cls !== StunClass.successResponse && !isError) return undefined;
  const { transactionId } = message;
  const out: BindingResponse = { transactionId };
  let mapped: StunEndpoint | undefined;
  let xorMapped: StunEndpoint | undefined;
  for (const { type, value } of message.attributes) {
    if (type === StunAttr.xorMappedAddress) xorMapped = decodeAddress(value, transactionId);
    else if (type === StunAttr.mappedAddress) mapped = decodeAddress(value);
    else if (type === StunAttr.otherAddress) out.otherAddress = decodeAddress(value);
    else if (type === StunAttr.responseOrigin) out.responseOrigin = decodeAddress(value);
    else if (type === StunAttr.errorCode && value.length >= 4) {
      out.error = {
        code: (value[2] ?? 0) * 100 + (value[3] ?? 0),
        reason: new TextDecoder().decode(value.subarray(4)),
      };
    }
  }
  const m = xorMapped ?? mapped;
  if (m) out.mapped = m;
  if (isError && !out.error) out.error = { code: 0, reason: 'error response without ERROR-CODE' };
  return out;
}

export const sameTransactionId = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
