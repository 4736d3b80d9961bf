import { decodeXp2pInfo, signViewerToken } from '@xp2p/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientPool,
  connectDevice,
  connectViewer,
  sessionId,
  signedFetch,
  startTestServer,
  TestClient,
  viewerUrl,
  type TestServer,
} from '@xp2p/testing/server';
import type { DeviceConfig } from '../config/schema.js';

let t: TestServer;
const pool = new ClientPool();
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await pool.closeAll();
  await t.server.close();
});

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n';
const tokenFor = (
  device: DeviceConfig,
  options: { appid?: string; secret?: string; now?: number } = {},
): Promise<string> =>
  signViewerToken(
    options.secret ?? device.secret,
    {
      appid: options.appid ?? t.app.appid,
      productId: device.productId,
      deviceName: device.deviceName,
      user: 'app',
      role: 'owner',
    },
    options.now === undefined ? {} : { now: options.now },
  );

/** A logged-in cam1 and a viewer with an open session to it (offer already delivered). */
async function openSession() {
  const device = (await connectDevice(t, pool, t.cam1)).client;
  const viewer = (await connectViewer(t, pool)).client;
  const id = sessionId();
  viewer.send({ type: 'offer', sessionId: id, token: await tokenFor(t.cam1), sdp: SDP });
  const offer = await device.next();
  expect(offer).toMatchObject({ type: 'offer', sessionId: id });
  return { device, viewer, id };
}

describe('viewer upgrade', () => {
  it('refuses an unsigned upgrade with HTTP 401', async () => {
    const client = pool.add(new TestClient(t.wsUrl('/signal/viewer')));
    await expect(client.opened).rejects.toThrow(/401/);
  });

  it('refuses a bad signature, a stale timestamp and a replayed URL with 401', async () => {
    const good = await viewerUrl(t);
    const bad = good.replace(/signature=[^&]+/, 'signature=AAAA');
    const stale = await viewerUrl(t, t.app, Date.now() - 400_000);
    for (const url of [bad, stale]) {
      await expect(pool.add(new TestClient(url)).opened).rejects.toThrow(/401/);
    }
    await pool.add(new TestClient(good)).opened;
    await expect(pool.add(new TestClient(good)).opened).rejects.toThrow(/401/);
  });

  it('refuses unknown WebSocket paths with 404', async () => {
    await expect(pool.add(new TestClient(t.wsUrl('/signal/other'))).opened).rejects.toThrow(/404/);
  });

  it("names the client by its module's uuid (getUUID) in the log lines of its connection and sessions", async () => {
    const uuid = 'Ab3_uuid-of-this-app';
    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = pool.add(new TestClient(`${await viewerUrl(t)}&uuid=${uuid}`));
    await viewer.opened;
    await viewer.next(); // hello
    viewer.send({ type: 'offer', sessionId: sessionId(), token: await tokenFor(t.cam1), sdp: SDP });
    await device.next();
    await viewer.close();
    await expect.poll(() => t.logs.filter((l) => l.includes(`uuid ${uuid}`)).length).toBeGreaterThanOrEqual(3);
    const mine = t.logs.filter((l) => l.includes(`uuid ${uuid}`)).join('\n');
    expect(mine).toMatch(/connected/);
    expect(mine).toMatch(/session \S+ viewer \S+ uuid \S+ → demo\/cam1/);
    expect(mine).toMatch(/disconnected/);
  });

  it('refuses a uuid that is not 1-64 letters, digits, _ or - with 400', async () => {
    for (const bad of ['x'.repeat(65), 'a%20b', '']) {
      const client = pool.add(new TestClient(`${await viewerUrl(t)}&uuid=${bad}`));
      await expect(client.opened).rejects.toThrow(/400/);
    }
  });

  it('says hello with the ICE servers', async () => {
    const { hello } = await connectViewer(t, pool);
    expect(hello).toEqual({ type: 'hello', v: 1, iceServers: [{ urls: `stun:127.0.0.1:${t.server.stunPort}` }] });
  });
});

describe('relay', () => {
  it('carries offer, answer, candidates and bye between viewer and device', async () => {
    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = (await connectViewer(t, pool)).client;
    // The token comes from the API, as an app would get it.
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'cam1' });
    const { token } = decodeXp2pInfo(((await res.json()) as { xp2pInfo: string }).xp2pInfo).payload;
    const id = sessionId();

    viewer.send({ type: 'offer', sessionId: id, token, sdp: SDP });
    expect(await device.next()).toEqual({ type: 'offer', sessionId: id, token, sdp: SDP });
    expect((await t.server.presence())[0]).toMatchObject({ online: true, viewers: 1 });

    device.send({ type: 'answer', sessionId: id, sdp: 'v=0 answer' });
    expect(await viewer.next()).toEqual({ type: 'answer', sessionId: id, sdp: 'v=0 answer' });
    device.send({
      type: 'candidate',
      sessionId: id,
      candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
      mid: '0',
    });
    expect(await viewer.next()).toEqual({
      type: 'candidate',
      sessionId: id,
      candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
      mid: '0',
    });
    viewer.send({ type: 'candidate', sessionId: id, candidate: 'candidate:2 1 udp 1 127.0.0.1 6000 typ host' });
    expect(await device.next()).toEqual({
      type: 'candidate',
      sessionId: id,
      candidate: 'candidate:2 1 udp 1 127.0.0.1 6000 typ host',
    });

    viewer.send({ type: 'bye', sessionId: id, reason: 'done' });
    expect(await device.next()).toEqual({ type: 'bye', sessionId: id, reason: 'done' });
    expect((await t.server.presence())[0]).toMatchObject({ viewers: 0 });
    expect(t.logs.some((l) => l.startsWith(`session ${id.slice(0, 8)}… viewer ${t.app.appid} → demo/cam1`))).toBe(true);
  });

  it('passes a device bye to the viewer and ends the session', async () => {
    const { device, viewer, id } = await openSession();
    device.send({ type: 'bye', sessionId: id, reason: 'stream ended' });
    expect(await viewer.next()).toEqual({ type: 'bye', sessionId: id, reason: 'stream ended' });
    viewer.send({ type: 'candidate', sessionId: id, candidate: 'x' });
    expect(await viewer.next()).toMatchObject({ type: 'error', sessionId: id, status: 404 });
  });

  it('turns a device reject into a -2402 error for the viewer and forgets the session', async () => {
    const { device, viewer, id } = await openSession();
    device.send({ type: 'reject', sessionId: id, status: 429, message: 'too many viewers' });
    expect(await viewer.next()).toEqual({
      type: 'error',
      sessionId: id,
      status: 429,
      code: -2402,
      message: 'too many viewers',
    });
    expect((await t.server.presence())[0]).toMatchObject({ viewers: 0 });
  });

  it('tells the viewer at once when the device disconnects', async () => {
    const { device, viewer, id } = await openSession();
    await device.close();
    expect(await viewer.next()).toEqual({ type: 'bye', sessionId: id, reason: 'device offline' });
  });

  it('tells the device when the viewer disconnects', async () => {
    const { device, viewer, id } = await openSession();
    await viewer.close();
    expect(await device.next()).toEqual({ type: 'bye', sessionId: id, reason: 'viewer left' });
  });

  it('ends sessions of a replaced device connection with bye', async () => {
    const { viewer, id } = await openSession();
    await connectDevice(t, pool, t.cam1);
    expect(await viewer.next()).toEqual({ type: 'bye', sessionId: id, reason: 'device reconnected' });
  });

  it('keeps sessions private: other viewers and other devices cannot touch them', async () => {
    const { device, viewer, id } = await openSession();
    const intruder = (await connectViewer(t, pool)).client;
    intruder.send({ type: 'candidate', sessionId: id, candidate: 'evil' });
    expect(await intruder.next()).toMatchObject({ type: 'error', sessionId: id, status: 404 });
    const cam2 = (await connectDevice(t, pool, t.cam2)).client;
    cam2.send({ type: 'answer', sessionId: id, sdp: 'evil' });
    expect(await cam2.next()).toMatchObject({ type: 'error', sessionId: id, status: 404 });
    // The real parties saw none of it.
    viewer.send({ type: 'candidate', sessionId: id, candidate: 'real' });
    expect(await device.next()).toMatchObject({ type: 'candidate', candidate: 'real' });
    device.send({ type: 'answer', sessionId: id, sdp: 'real' });
    expect(await viewer.next()).toMatchObject({ type: 'answer', sdp: 'real' });
  });
});

describe('offers the device must never see', () => {
  it('refuses bad tokens with the right status and -2402; the device receives nothing', async () => {
    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = (await connectViewer(t, pool)).client;
    const real = await tokenFor(t.cam1);
    const [body, mac = ''] = real.split('.');
    const cases: [string, string, number, RegExp][] = [
      ['malformed', 'not-a-token', 401, /malformed/],
      ['forged signature', `${body}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`, 401, /signature/],
      ['expired', await tokenFor(t.cam1, { now: Date.now() - 3_600_000 }), 403, /expired/],
      ['signed with another device’s secret', await tokenFor(t.cam1, { secret: t.cam2.secret }), 401, /signature/],
      [
        'naming a device we do not know',
        await tokenFor({ productId: 'demo', deviceName: 'ghost', secret: t.cam1.secret }),
        401,
        /signature/,
      ],
      ['issued to another app', await tokenFor(t.cam1, { appid: t.otherApp.appid }), 401, /another app/],
    ];
    for (const [name, token, status, message] of cases) {
      const id = sessionId();
      viewer.send({ type: 'offer', sessionId: id, token, sdp: SDP });
      expect(await viewer.next(), name).toEqual({
        type: 'error',
        sessionId: id,
        status,
        code: -2402,
        message: expect.stringMatching(message),
      });
    }
    viewer.send({ type: 'offer', sessionId: 'no-token-session', sdp: SDP });
    expect(await viewer.next()).toMatchObject({ type: 'error', status: 400, message: expect.stringMatching(/token/) });

    // The first thing the device ever receives is the one valid offer.
    const good = sessionId();
    viewer.send({ type: 'offer', sessionId: good, token: real, sdp: SDP });
    expect(await device.next()).toMatchObject({ type: 'offer', sessionId: good });
  });

  it("refuses a token for another app's device exactly like one for a device that does not exist", async () => {
    const theirs = await t.server.accounts.addDevice(t.otherApp.appid, { productId: 'other', deviceName: 'cam9' });
    await connectDevice(t, pool, theirs);
    const viewer = (await connectViewer(t, pool)).client;
    const refusal = async (token: string) => {
      viewer.send({ type: 'offer', sessionId: 'same-session-id-1', token, sdp: SDP });
      return JSON.stringify(await viewer.next());
    };
    // their own, genuine token (their backend asked for it) and one naming a device nobody has
    const genuine = await tokenFor(theirs, { appid: t.otherApp.appid });
    const unknown = await tokenFor(
      { productId: 'other', deviceName: 'ghost', secret: 'a-secret-nobody-has-1234' },
      { appid: t.otherApp.appid },
    );
    expect(await refusal(genuine)).toBe(await refusal(unknown));
  });

  it('answers 404 for an offline device', async () => {
    const viewer = (await connectViewer(t, pool)).client;
    const id = sessionId();
    viewer.send({ type: 'offer', sessionId: id, token: await tokenFor(t.cam1), sdp: SDP });
    expect(await viewer.next()).toEqual({
      type: 'error',
      sessionId: id,
      status: 404,
      code: -2402,
      message: 'device demo/cam1 is offline',
    });
  });

  it('answers 409 for a sessionId already in use', async () => {
    const { viewer, id } = await openSession();
    viewer.send({ type: 'offer', sessionId: id, token: await tokenFor(t.cam1), sdp: SDP });
    expect(await viewer.next()).toMatchObject({ type: 'error', sessionId: id, status: 409, code: -2402 });
  });

  it('limits sessions per viewer socket', async () => {
    await t.server.close();
    t = await startTestServer({ tuning: { maxSessionsPerViewer: 2 } });
    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = (await connectViewer(t, pool)).client;
    for (let i = 0; i < 2; i++) {
      viewer.send({ type: 'offer', sessionId: sessionId(), token: await tokenFor(t.cam1), sdp: SDP });
      expect((await device.next()).type).toBe('offer');
    }
    viewer.send({ type: 'offer', sessionId: sessionId(), token: await tokenFor(t.cam1), sdp: SDP });
    expect(await viewer.next()).toMatchObject({ type: 'error', status: 429, code: -2402 });
  });
});

describe('garbage and floods', () => {
  it('answers malformed messages with 400 and keeps working', async () => {
    const viewer = (await connectViewer(t, pool)).client;
    for (const bad of [
      'not json',
      '{"type":"nope"}',
      '[]',
      JSON.stringify({ type: 'offer', sessionId: 'abcdefgh', token: 't', sdp: 'x'.repeat(33 * 1024) }),
    ]) {
      viewer.send(bad);
      expect(await viewer.next()).toMatchObject({ type: 'error', status: 400 });
    }
    viewer.send({ type: 'ping' });
    expect(await viewer.next()).toEqual({ type: 'pong' });
  });

  it('closes a socket after 20 invalid messages', async () => {
    const device = (await connectDevice(t, pool, t.cam1)).client;
    for (let i = 0; i < 20; i++) device.send('garbage');
    expect(await device.closed).toEqual({ code: 1008, reason: 'too many invalid messages' });
    await expect.poll(async () => (await t.server.presence())[0]?.online).toBe(false);
  });

  it('drops a connection that sends more than 64 KiB in one message; others are unaffected', async () => {
    const viewer = (await connectViewer(t, pool)).client;
    const other = (await connectViewer(t, pool)).client;
    viewer.send('x'.repeat(65 * 1024));
    expect((await viewer.closed).code).toBe(1009); // RFC 6455 §7.4.1: message too big
    other.send({ type: 'ping' });
    expect(await other.next()).toEqual({ type: 'pong' });
  });

  it('rate-limits each socket with one 429 per burst of excess', async () => {
    await t.server.close();
    t = await startTestServer({ tuning: { messageBurst: 5, messagesPerSecond: 1 } });
    const viewer = (await connectViewer(t, pool)).client;
    for (let i = 0; i < 10; i++) viewer.send({ type: 'ping' });
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await viewer.next());
    expect(replies.filter((m) => m.type === 'pong')).toHaveLength(5);
    expect(replies.filter((m) => m.type === 'error')).toEqual([
      { type: 'error', status: 429, message: expect.any(String) },
    ]);
    await expect(viewer.next(300)).rejects.toThrow(/no message/); // the other four were dropped silently
  });
});

describe('close()', () => {
  it('closes every socket with 1001 and refuses new connections', async () => {
    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = (await connectViewer(t, pool)).client;
    await t.server.close();
    expect((await device.closed).code).toBe(1001);
    expect((await viewer.closed).code).toBe(1001);
    await expect(fetch(`${t.server.url}/healthz`)).rejects.toThrow();
  });
});
