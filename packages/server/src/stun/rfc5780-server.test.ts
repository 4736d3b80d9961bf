/** The RFC 5780 responder over real UDP on loopback (127.0.0.1 and 127.0.0.2 are both on lo). */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeStunMessage,
  decodeXorMappedAddress,
  encodeStunMessage,
  StunAttr,
  StunClass,
  StunMethod,
} from '@xp2p/protocol';
import { Rfc5780Attr, startRfc5780Server, type Rfc5780Server } from './rfc5780-server.js';

let server: Rfc5780Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const address = (v: Uint8Array | undefined) =>
  v && { address: Array.from(v.subarray(4)).join('.'), port: (v[2]! << 8) | v[3]! };

async function ask(port: number, host: string, flags?: number) {
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  try {
    const transactionId = new Uint8Array(randomBytes(12));
    const attributes =
      flags === undefined ? [] : [{ type: Rfc5780Attr.changeRequest, value: Uint8Array.of(0, 0, 0, flags) }];
    const reply = new Promise<{ msg: Buffer; from: { address: string; port: number } }>((resolve) =>
      client.once('message', (msg, from) => resolve({ msg, from })),
    );
    client.send(
      encodeStunMessage({ method: StunMethod.binding, cls: StunClass.request, transactionId, attributes }),
      port,
      host,
    );
    const { msg, from } = await reply;
    const m = decodeStunMessage(msg)!;
    const attr = (t: number) => m.attributes.find((a) => a.type === t)?.value;
    return {
      cls: m.cls,
      from: { address: from.address, port: from.port },
      mapped: decodeXorMappedAddress(attr(StunAttr.xorMappedAddress) ?? new Uint8Array(), transactionId),
      other: address(attr(Rfc5780Attr.otherAddress)),
      origin: address(attr(Rfc5780Attr.responseOrigin)),
      local: client.address().port,
    };
  } finally {
    client.close();
  }
}

describe('RFC 5780 responder', () => {
  it('answers with OTHER-ADDRESS and RESPONSE-ORIGIN, and from the other IP/port on CHANGE-REQUEST', async () => {
    server = await startRfc5780Server(['127.0.0.1', '127.0.0.2']);
    const [p0, p1] = server.ports;
    const plain = await ask(p0, '127.0.0.1');
    expect(plain.mapped).toEqual({ family: 'IPv4', address: '127.0.0.1', port: plain.local });
    expect(plain.other).toEqual({ address: '127.0.0.2', port: p1 });
    expect(plain.origin).toEqual({ address: '127.0.0.1', port: p0 });
    expect((await ask(p0, '127.0.0.1', 0x6)).from).toEqual({ address: '127.0.0.2', port: p1 });
    expect((await ask(p0, '127.0.0.1', 0x2)).from).toEqual({ address: '127.0.0.1', port: p1 });
    expect((await ask(p0, '127.0.0.1', 0x4)).from).toEqual({ address: '127.0.0.2', port: p0 });
    const onOther = await ask(p1, '127.0.0.2');
    expect(onOther.other).toEqual({ address: '127.0.0.1', port: p0 });
  });

  it('with one IP: OTHER-ADDRESS differs by port only, and a change of IP gets 420', async () => {
    server = await startRfc5780Server(['127.0.0.1']);
    const [p0, p1] = server.ports;
    expect((await ask(p0, '127.0.0.1')).other).toEqual({ address: '127.0.0.1', port: p1 });
    expect((await ask(p0, '127.0.0.1', 0x2)).from.port).toBe(p1);
    expect((await ask(p0, '127.0.0.1', 0x4)).cls).toBe(StunClass.errorResponse);
  });
});
