/** The client codec against RFC 5769's sample responses, plus requests, RFC 5780 attributes and bad input. */
import { describe, expect, it } from 'vitest';
import { decodeBindingResponse, encodeBindingRequest, StunAttribute } from './stun.js';
import { encodeResponse } from '@xp2p/testing/nat';

const hex = (t: string) => Uint8Array.from(t.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const TID = hex('b7e7a701 bc34d686 fa87dfae');

/** RFC 5769 §2.2: 192.0.2.1:32853 */
const IPV4_RESPONSE = hex(`
  0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200008 0001a147 e112a643
  00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
  80280004 c07d4c96`);
/** RFC 5769 §2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853 */
const IPV6_RESPONSE = hex(`
  01010048 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
  00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
  80280004 c8fb0b4c`);

describe('STUN client codec', () => {
  it('decodes the RFC 5769 IPv4 and IPv6 sample responses', () => {
    expect(decodeBindingResponse(IPV4_RESPONSE)).toEqual({
      transactionId: TID,
      mapped: { address: '192.0.2.1', port: 32853 },
    });
    expect(decodeBindingResponse(IPV6_RESPONSE)?.mapped).toEqual({
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
  });

  it('encodes a Binding request with FINGERPRINT, and CHANGE-REQUEST flags (RFC 5780 §7.2)', () => {
    const plain = encodeBindingRequest(TID);
    expect(Array.from(plain.subarray(0, 8))).toEqual([0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42]);
    expect(plain.subarray(8, 20)).toEqual(TID);
    expect((plain[20]! << 8) | plain[21]!).toBe(StunAttribute.fingerprint);
    const both = encodeBindingRequest(TID, { ip: true, port: true });
    expect(both.length).toBe(36);
    expect(Array.from(both.subarray(20, 28))).toEqual([0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0x06]);
    expect(encodeBindingRequest(TID, { port: true })[27]).toBe(0x02);
    expect(() => encodeBindingRequest(new Uint8Array(11))).toThrow(RangeError);
  });

  it('decodes OTHER-ADDRESS, RESPONSE-ORIGIN and ERROR-CODE', () => {
    const ok = encodeResponse(TID, {
      mapped: { address: '198.51.100.7', port: 4000 },
      other: { address: '203.0.113.2', port: 3479 },
      origin: { address: '203.0.113.1', port: 3478 },
    });
    expect(decodeBindingResponse(ok)).toEqual({
      transactionId: TID,
      mapped: { address: '198.51.100.7', port: 4000 },
      otherAddress: { address: '203.0.113.2', port: 3479 },
      responseOrigin: { address: '203.0.113.1', port: 3478 },
    });
    expect(decodeBindingResponse(encodeResponse(TID, { error: 420 }))?.error).toEqual({ code: 420, reason: 'no' });
  });

  it.each([
    ['a request', () => encodeBindingRequest(TID)],
    ['too short', () => IPV4_RESPONSE.subarray(0, 19)],
    ['bad cookie', () => Object.assign(IPV4_RESPONSE.slice(), { 4: 0 })],
    ['bad fingerprint', () => Object.assign(IPV4_RESPONSE.slice(), { 30: 0 })],
    ['truncated', () => IPV4_RESPONSE.subarray(0, IPV4_RESPONSE.length - 4)],
  ])('refuses %s', (_name, make) => {
    expect(decodeBindingResponse(make())).toBeUndefined();
  });
});
