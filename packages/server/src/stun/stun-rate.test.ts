/**
 * STUN over UDP answers whoever the source address claims to be: without a limit the service reflects a
 * flood at a spoofed victim. Answers are rate-limited per source address; other sources are still served.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { encodeStunMessage, StunClass, StunMethod } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_DEFAULTS } from '../defaults.js';
import { startTestServer, type TestServer } from '@xp2p/testing/server';

let t: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await t?.server.close();
  t = undefined;
});

const request = () =>
  encodeStunMessage(
    {
      method: StunMethod.binding,
      cls: StunClass.request,
      transactionId: new Uint8Array(randomBytes(12)),
      attributes: [],
    },
    { fingerprint: true },
  );

async function flood(address: string, count: number, port: number): Promise<number> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  let answers = 0;
  socket.on('message', () => answers++);
  for (let i = 0; i < count; i++) socket.send(request(), port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 500));
  return answers;
}

describe('STUN rate limit', () => {
  it('answers one source at most its burst in a flood, and still answers another source', async () => {
    t = await startTestServer();
    const flooded = await flood('127.0.0.1', 300, t.server.stunPort);
    expect(flooded).toBeGreaterThan(0);
    expect(flooded).toBeLessThanOrEqual(SERVER_DEFAULTS.stunBurstPerAddress + 20);
    expect(await flood('127.0.0.3', 5, t.server.stunPort)).toBe(5);
  });
});
