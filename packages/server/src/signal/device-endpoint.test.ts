import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool, connectDevice, TestClient, startTestServer, type TestServer } from '@xp2p/testing/server';
import { DEVICE_LOGIN_REFUSED } from './device-endpoint.js';

let t: TestServer;
const pool = new ClientPool();
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await pool.closeAll();
  await t.server.close();
});

const cam1Status = async (): Promise<unknown> => (await t.server.presence()).find((d) => d.deviceName === 'cam1');

describe('device login', () => {
  it('sends a fresh random challenge to every connection', async () => {
    const a = pool.add(new TestClient(t.wsUrl('/signal/device')));
    const b = pool.add(new TestClient(t.wsUrl('/signal/device')));
    const [ca, cb] = [await a.next(), await b.next()];
    expect(ca).toMatchObject({ type: 'challenge', v: 1, challenge: expect.any(String) });
    expect(ca.challenge).not.toBe(cb.challenge);
  });

  it('refuses a wrong proof with 401 and closes the socket', async () => {
    const { client, reply } = await connectDevice(t, pool, t.cam1, { secret: t.cam2.secret });
    expect(reply).toEqual({ type: 'error', status: 401, message: DEVICE_LOGIN_REFUSED });
    await client.closed;
    expect(await cam1Status()).toMatchObject({ online: false });
  });

  it('refuses an unknown device and a wrong secret with one and the same 401', async () => {
    const unknown = await connectDevice(t, pool, { productId: 'demo', deviceName: 'ghost', secret: t.cam1.secret });
    const wrongSecret = await connectDevice(t, pool, { ...t.cam1, secret: t.cam2.secret });
    expect(unknown.reply).toEqual({ type: 'error', status: 401, message: DEVICE_LOGIN_REFUSED });
    // byte for byte the same: the refusal does not tell which device names exist
    expect(JSON.stringify(wrongSecret.reply)).toBe(JSON.stringify(unknown.reply));
    await Promise.all([unknown.client.closed, wrongSecret.client.closed]);
  });

  it('welcomes the right proof with the STUN server, shows presence, and goes offline on close', async () => {
    const { client, reply } = await connectDevice(t, pool, t.cam1, { version: '2.4.50' });
    expect(reply).toEqual({ type: 'welcome', iceServers: [{ urls: `stun:127.0.0.1:${t.server.stunPort}` }] });
    expect(await cam1Status()).toEqual({
      productId: 'demo',
      deviceName: 'cam1',
      online: true,
      version: '2.4.50',
      viewers: 0,
    });
    expect(t.logs).toContain('device demo/cam1 online (version 2.4.50)');
    await client.close();
    await expect.poll(cam1Status).toMatchObject({ online: false });
    expect(t.logs).toContain('device demo/cam1 offline');
  });

  it('answers messages before login with an error, and ping with pong', async () => {
    const client = pool.add(new TestClient(t.wsUrl('/signal/device')));
    await client.next(); // challenge
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    client.send({ type: 'bye', sessionId: 'abcdefgh1234' });
    expect(await client.next()).toMatchObject({
      type: 'error',
      status: 401,
      message: expect.stringMatching(/log in first/),
    });
  });

  it('lets a second login of the same device replace the first (old socket closed with 4000)', async () => {
    const first = await connectDevice(t, pool, t.cam1, { version: '2.4.50' });
    const second = await connectDevice(t, pool, t.cam1, { version: '2.4.51' });
    expect(second.reply.type).toBe('welcome');
    expect(await first.client.closed).toEqual({ code: 4000, reason: 'replaced' });
    // The old socket closing must not take the new one offline.
    expect(await cam1Status()).toMatchObject({ online: true, version: '2.4.51' });
    second.client.send({ type: 'ping' });
    expect(await second.client.next()).toEqual({ type: 'pong' });
  });

  it('closes a socket that does not log in within the timeout', async () => {
    await t.server.close();
    t = await startTestServer({ tuning: { deviceAuthTimeoutMs: 100 } });
    const client = pool.add(new TestClient(t.wsUrl('/signal/device')));
    await client.next(); // challenge
    expect(await client.next()).toMatchObject({
      type: 'error',
      status: 401,
      message: expect.stringMatching(/no login within/),
    });
    expect((await client.closed).code).toBe(1008);
  });
});

describe('heartbeat', () => {
  it('terminates a device that stops answering pings, which takes it offline', async () => {
    await t.server.close();
    t = await startTestServer({ tuning: { heartbeatIntervalMs: 50 } });
    const { client } = await connectDevice(t, pool, t.cam1, { clientOptions: { autoPong: false } });
    expect(await cam1Status()).toMatchObject({ online: true });
    expect((await client.closed).code).toBe(1006); // terminated, no close frame
    await expect.poll(cam1Status).toMatchObject({ online: false });
  });

  it('keeps a device that answers pings', async () => {
    await t.server.close();
    t = await startTestServer({ tuning: { heartbeatIntervalMs: 30 } });
    const { client } = await connectDevice(t, pool, t.cam1);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await expect.poll(() => pings, { timeout: 2000 }).toBeGreaterThanOrEqual(4);
    expect(await cam1Status()).toMatchObject({ online: true });
  });
});
