import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeStunMessage,
  encodeStunMessage,
  encodeXorMappedAddress,
  StunAttr,
  StunClass,
  StunMethod,
} from '@xp2p/protocol';
import { NatWatch, stunMappedAddress, stunTargetsOf } from './nat-watch.js';

/** A STUN service on loopback that reports whatever public IP the test says (a NAT whose address changes). */
async function fakeStun(): Promise<{ port: number; publicIp: { value: string }; requests: number; close(): void }> {
  const socket: Socket = createSocket('udp4');
  const state = { port: 0, publicIp: { value: '198.51.100.7' }, requests: 0, close: () => socket.close() };
  socket.on('message', (msg, from) => {
    const m = decodeStunMessage(new Uint8Array(msg));
    if (!m || m.method !== StunMethod.binding || m.cls !== StunClass.request) return;
    state.requests++;
    const value = encodeXorMappedAddress({ address: state.publicIp.value, port: from.port }, m.transactionId);
    socket.send(
      encodeStunMessage(
        {
          method: StunMethod.binding,
          cls: StunClass.successResponse,
          transactionId: m.transactionId,
          attributes: [{ type: StunAttr.xorMappedAddress, value }],
        },
        { fingerprint: true },
      ),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  state.port = socket.address().port;
  return state;
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('camera NAT watch', () => {
  it('reads the stun: entries of the login ICE servers (0.0.0.0 → the server host)', () => {
    expect(
      stunTargetsOf(
        [{ urls: 'stun:0.0.0.0:3478' }, { urls: ['turn:203.0.113.1:3479', 'stun:stun.example.org'] }],
        '203.0.113.1',
      ),
    ).toEqual([
      { host: '203.0.113.1', port: 3478 },
      { host: 'stun.example.org', port: 3478 },
    ]);
  });

  it('gets the mapped address; none from a silent server, within the retransmission bound', async () => {
    const stun = await fakeStun();
    closers.push(stun.close);
    expect(await stunMappedAddress({ host: '127.0.0.1', port: stun.port }, { bindAddress: '127.0.0.1' })).toMatch(
      /^198\.51\.100\.7:\d+$/,
    );
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    closers.push(() => silent.close());
    const t0 = performance.now();
    expect(
      await stunMappedAddress({ host: '127.0.0.1', port: silent.address().port }, { rtoMs: 20, attempts: 3 }),
    ).toBe(undefined);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('reports a change of the public IP once, not the first sighting', async () => {
    const stun = await fakeStun();
    closers.push(stun.close);
    const changes: [string, string][] = [];
    const watch = new NatWatch({
      targets: () => [{ host: '127.0.0.1', port: stun.port }],
      bindAddress: '127.0.0.1',
      intervalMs: 30,
      onChanged: (a, b) => changes.push([a, b]),
      log: () => {},
    });
    closers.push(() => watch.stop());
    watch.start();
    await expect.poll(() => watch.address, { timeout: 2_000 }).toBe('198.51.100.7');
    stun.publicIp.value = '198.51.100.99';
    await expect.poll(() => changes, { timeout: 2_000 }).toEqual([['198.51.100.7', '198.51.100.99']]);
    const requests = stun.requests;
    watch.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(stun.requests - requests).toBeLessThanOrEqual(1); // stopped: at most the one in flight
  });
});
