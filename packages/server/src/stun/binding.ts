/**
 * The Binding service (RFC 8489 §3, §6.3): tells a client the address its request came from, which is how
 * ICE learns a peer's server-reflexive (public) address.
 */
import {
  decodeStunMessage,
  encodeStunMessage,
  encodeXorMappedAddress,
  StunAttr,
  StunClass,
  StunMethod,
} from '@xp2p/protocol';

/**
 * Returns the Binding success response for a datagram, or undefined for anything that is not a
 * well-formed Binding request (RFC 8489 §6.3: malformed messages are silently discarded; indications and
 * responses get no answer).
 *
 * Unknown comprehension-required attributes (ICE's PRIORITY, USERNAME ...) are ignored instead of
 * answered with 420: this is a plain reflexive-address service without credentials, as public STUN
 * servers are, and refusing would only break clients.
 */
export function answerBindingRequest(
  datagram: Uint8Array,
  source: { address: string; port: number },
): Uint8Array | undefined {
  const request = decodeStunMessage(datagram);
  if (!request || request.method !== StunMethod.binding || request.cls !== StunClass.request) return undefined;
  let mapped: Uint8Array;
  try {
    mapped = encodeXorMappedAddress(source, request.transactionId);
  } catch {
    return undefined;
  }
  return encodeStunMessage(
    {
      method: StunMethod.binding,
      cls: StunClass.successResponse,
      transactionId: request.transactionId,
      attributes: [{ type: StunAttr.xorMappedAddress, value: mapped }],
    },
    { fingerprint: true },
  );
}
