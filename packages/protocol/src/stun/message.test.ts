/** RFC 5769 test vectors (§2.1 request, §2.2 IPv4 response, §2.3 IPv6 response), plus round trips. */
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { formatIp, parseIp } from './ip-address.js';
import {
  decodeMessageType,
  decodeStunMessage,
  decodeXorMappedAddress,
  encodeMessageType,
  encodeStunMessage,
  encodeXorMappedAddress,
  StunAttr,
  StunClass,
  StunMethod,
} from './message.js';

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

/** RFC 5769 §2.3 sample IPv6 response: 2001:db8:1234:5678:11:2233:4455:6677 port 32853 */
const SAMPLE_IPV6_RESPONSE = hex(`
  01010048 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
  00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
  80280004 c8fb0b4c`);

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('message type', () => {
  it('interleaves method and class bits as RFC 8489 §5 shows', () => {
    expect(encodeMessageType(StunMethod.binding, StunClass.request)).toBe(0x0001);
    expect(encodeMessageType(StunMethod.binding, StunClass.successResponse)).toBe(0x0101);
    expect(encodeMessageType(StunMethod.binding, StunClass.errorResponse)).toBe(0x0111);
    expect(encodeMessageType(StunMethod.binding, StunClass.indication)).toBe(0x0011);
    expect(decodeMessageType(0x0111)).toEqual({ method: 1, cls: StunClass.errorResponse });
    expect(decodeMessageType(encodeMessageType(0xabc, 0b10))).toEqual({ method: 0xabc, cls: 0b10 });
  });
});

describe('RFC 5769 vectors', () => {
  it('decodes the sample request and checks its FINGERPRINT', () => {
    const message = decodeStunMessage(SAMPLE_REQUEST);
    expect(message).toMatchObject({ method: StunMethod.binding, cls: StunClass.request, hasFingerprint: true });
    expect(message?.transactionId).toEqual(TRANSACTION_ID);
    expect(message?.attributes.map((a) => a.type)).toEqual([0x8022, 0x0024, 0x8029, 0x0006, 0x0008]);
  });

  it('decodes the IPv4 sample response: 192.0.2.1:32853, valid FINGERPRINT', () => {
    const message = decodeStunMessage(SAMPLE_IPV4_RESPONSE);
    expect(message).toMatchObject({ cls: StunClass.successResponse, hasFingerprint: true });
    const xma = message?.attributes.find((a) => a.type === StunAttr.xorMappedAddress);
    expect(decodeXorMappedAddress(xma?.value ?? new Uint8Array(), TRANSACTION_ID)).toEqual({
      family: 'IPv4',
      address: '192.0.2.1',
      port: 32853,
    });
  });

  it('decodes the IPv6 sample response: 2001:db8:1234:5678:11:2233:4455:6677:32853', () => {
    const message = decodeStunMessage(SAMPLE_IPV6_RESPONSE);
    expect(message?.hasFingerprint).toBe(true);
    const xma = message?.attributes.find((a) => a.type === StunAttr.xorMappedAddress);
    expect(decodeXorMappedAddress(xma?.value ?? new Uint8Array(), TRANSACTION_ID)).toEqual({
      family: 'IPv6',
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
  });

  it('encodes XOR-MAPPED-ADDRESS byte for byte as the vectors do', () => {
    expect(encodeXorMappedAddress({ address: '192.0.2.1', port: 32853 }, TRANSACTION_ID)).toEqual(
      hex('0001a147 e112a643'),
    );
    expect(
      encodeXorMappedAddress({ address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 }, TRANSACTION_ID),
    ).toEqual(hex('0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9'));
  });

  it('round-trips: an encoded message with FINGERPRINT decodes to the same attributes', () => {
    // (The vectors themselves cannot be re-encoded byte for byte: they pad with spaces, we pad with zeros.)
    const attributes = [
      { type: StunAttr.software, value: new TextEncoder().encode('xp2p') },
      { type: StunAttr.xorMappedAddress, value: encodeXorMappedAddress({ address: '::1', port: 9 }, TRANSACTION_ID) },
    ];
    const bytes = encodeStunMessage(
      { method: 1, cls: StunClass.successResponse, transactionId: TRANSACTION_ID, attributes },
      { fingerprint: true },
    );
    expect(decodeStunMessage(bytes)).toEqual({
      method: 1,
      cls: StunClass.successResponse,
      transactionId: TRANSACTION_ID,
      attributes,
      hasFingerprint: true,
    });
  });
});

describe('decodeStunMessage refuses malformed input', () => {
  const mutate = (at: number, value: number): Uint8Array => {
    const copy = SAMPLE_REQUEST.slice();
    copy[at] = value;
    return copy;
  };
  it.each([
    ['too short', SAMPLE_REQUEST.subarray(0, 19)],
    ['wrong magic cookie', mutate(4, 0x22)],
    ['top bits set', mutate(0, 0xc0)],
    ['length field disagrees with size', SAMPLE_REQUEST.subarray(0, SAMPLE_REQUEST.length - 4)],
    ['corrupted payload (fingerprint mismatch)', mutate(30, 0x00)],
    ['attribute running past the end', mutate(22, 0xff)],
  ])('%s', (_name, bytes) => {
    expect(decodeStunMessage(bytes)).toBeUndefined();
  });

  it('refuses an attribute after FINGERPRINT', () => {
    const withTrailer = encodeStunMessage(
      { method: 1, cls: 0, transactionId: TRANSACTION_ID, attributes: [] },
      { fingerprint: true },
    );
    const bytes = new Uint8Array(withTrailer.length + 8);
    bytes.set(withTrailer);
    bytes.set(hex('80220004 41424344'), withTrailer.length);
    new DataView(bytes.buffer).setUint16(2, bytes.length - 20);
    expect(decodeStunMessage(bytes)).toBeUndefined();
  });
});

describe('ip addresses', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::', '2001:db8::'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('%s → %s', (input, output) => {
    expect(formatIp(parseIp(input) ?? new Uint8Array())).toBe(output);
  });
  it.each(['256.0.0.1', '1.2.3', '1::2::3', '12345::', 'example.com', '1:2:3:4:5:6:7:8:9'])('refuses %s', (bad) => {
    expect(parseIp(bad)).toBeUndefined();
  });
});
