/** The server's Binding answer, checked against the RFC 5769 sample request (§2.1). */
import { describe, expect, it } from 'vitest';
import {
  decodeStunMessage,
  decodeXorMappedAddress,
  encodeStunMessage,
  StunAttr,
  StunClass,
  StunMethod,
} from '@xp2p/protocol';
import { answerBindingRequest } from './binding.js';

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));

const TRANSACTION_ID = hex('b7e7a701 bc34d686 fa87dfae');

/** RFC 5769 §2.1 sample request (SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT) */
const SAMPLE_REQUEST = hex(`
  00010058 2112a442 b7e7a701 bc34d686 fa87dfae
  80220010 5354554e 20746573 7420636c 69656e74
  00240004 6e0001ff
  80290008 932ff9b1 51263b36
  00060009 6576746a 3a683676 59202020
  00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2
  80280004 e57a3bcf`);

/** RFC 5769 §2.2 sample IPv4 response: 192.0.2.1 port 32853 */
const SAMPLE_IPV4_RESPONSE = hex(`
  0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200008 0001a147 e112a643
  00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
  80280004 c07d4c96`);

describe('answerBindingRequest', () => {
  it('answers the RFC sample request with the source address and the same transaction id', () => {
    const response = answerBindingRequest(SAMPLE_REQUEST, { address: '192.0.2.1', port: 32853 });
    const decoded = decodeStunMessage(response ?? new Uint8Array());
    expect(decoded).toMatchObject({ method: StunMethod.binding, cls: StunClass.successResponse, hasFingerprint: true });
    expect(decoded?.transactionId).toEqual(TRANSACTION_ID);
    expect(decoded?.attributes).toEqual([{ type: StunAttr.xorMappedAddress, value: hex('0001a147 e112a643') }]);
  });

  it('reports an IPv4-mapped IPv6 source as IPv4, and IPv6 as IPv6', () => {
    const request = encodeStunMessage({ method: 1, cls: 0, transactionId: TRANSACTION_ID, attributes: [] });
    const addressOf = (source: string): unknown => {
      const decoded = decodeStunMessage(
        answerBindingRequest(request, { address: source, port: 4000 }) ?? new Uint8Array(),
      );
      return decodeXorMappedAddress(decoded?.attributes[0]?.value ?? new Uint8Array(), TRANSACTION_ID);
    };
    expect(addressOf('::ffff:10.1.2.3')).toEqual({ family: 'IPv4', address: '10.1.2.3', port: 4000 });
    expect(addressOf('fe80::1')).toEqual({ family: 'IPv6', address: 'fe80::1', port: 4000 });
  });

  it('ignores responses, indications and other methods', () => {
    const source = { address: '127.0.0.1', port: 1 };
    expect(answerBindingRequest(SAMPLE_IPV4_RESPONSE, source)).toBeUndefined();
    const indication = encodeStunMessage({
      method: 1,
      cls: StunClass.indication,
      transactionId: TRANSACTION_ID,
      attributes: [],
    });
    expect(answerBindingRequest(indication, source)).toBeUndefined();
    const allocate = encodeStunMessage({
      method: 0x003,
      cls: StunClass.request,
      transactionId: TRANSACTION_ID,
      attributes: [],
    });
    expect(answerBindingRequest(allocate, source)).toBeUndefined();
    expect(answerBindingRequest(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), source)).toBeUndefined();
  });
});
