import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@xp2p/testing/server';
import {
  decodeStunMessage,
  decodeXorMappedAddress,
  encodeStunMessage,
  StunAttr,
  StunClass,
  StunMethod,
} from '@xp2p/protocol';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

describe('STUN binding service', () => {
  it('tells a client over real UDP the address and port it sent from, ignoring garbage', async () => {
    t = await startTestServer();
    const client = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
      const transactionId = new Uint8Array(randomBytes(12));
      const request = encodeStunMessage(
        { method: StunMethod.binding, cls: StunClass.request, transactionId, attributes: [] },
        { fingerprint: true },
      );
      const reply = new Promise<Buffer>((resolve) => client.once('message', resolve));
      client.send(Buffer.from('definitely not STUN'), t.server.stunPort, '127.0.0.1'); // must be ignored
      client.send(request, t.server.stunPort, '127.0.0.1');
      const response = decodeStunMessage(await reply);
      expect(response).toMatchObject({
        method: StunMethod.binding,
        cls: StunClass.successResponse,
        hasFingerprint: true,
      });
      expect(response?.transactionId).toEqual(transactionId);
      const xma = response?.attributes.find((a) => a.type === StunAttr.xorMappedAddress);
      expect(decodeXorMappedAddress(xma?.value ?? new Uint8Array(), transactionId)).toEqual({
        family: 'IPv4',
        address: '127.0.0.1',
        port: client.address().port,
      });
    } finally {
      await new Promise<void>((resolve) => client.close(resolve));
    }
  });
});
