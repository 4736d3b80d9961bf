import { appSignatureHeaders, decodeXp2pInfo, signAppRequest, verifyViewerToken } from '@xp2p/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool, connectDevice, signedFetch, startTestServer, type TestServer } from '@xp2p/testing/server';

let t: TestServer;
const pool = new ClientPool();
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await pool.closeAll();
  await t.server.close();
});

const errorOf = async (res: Response): Promise<{ status: number; message: string }> =>
  ((await res.json()) as { error: { status: number; message: string } }).error;

describe('GET /healthz', () => {
  it('answers without a signature', async () => {
    const res = await fetch(`${t.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('app signatures', () => {
  it('accept a correctly signed request', async () => {
    const res = await signedFetch(t, 'GET', '/api/devices');
    expect(res.status).toBe(200);
  });

  it('refuse an unsigned request with 401 and a JSON error', async () => {
    const res = await fetch(`${t.server.url}/api/devices`);
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toEqual({ status: 401, message: expect.stringMatching(/missing app signature/) });
  });

  it('refuse an unknown appKey', async () => {
    const res = await signedFetch(t, 'GET', '/api/devices', undefined, {
      app: { ...t.app, appKey: 'nobody' },
    });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/unknown appKey/);
  });

  it('refuse a signature made with the wrong secret', async () => {
    const res = await signedFetch(t, 'GET', '/api/devices', undefined, {
      app: { ...t.app, appSecretKey: t.otherApp.appSecretKey },
    });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/bad signature/);
  });

  it('refuse a signature over another body', async () => {
    const sig = await signAppRequest(
      t.app,
      'POST',
      `${t.server.url}/api/xp2pinfo`,
      JSON.stringify({ productId: 'demo', deviceName: 'cam1' }),
    );
    const res = await fetch(`${t.server.url}/api/xp2pinfo`, {
      method: 'POST',
      headers: appSignatureHeaders(sig),
      body: JSON.stringify({ productId: 'demo', deviceName: 'cam2' }),
    });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/bad signature/);
  });

  it('refuse stale and future timestamps', async () => {
    // 2 s past the window: the signature's timestamp is whole seconds (floored), and the request takes time
    // to arrive, so 1 s past could still land inside it
    for (const skew of [-302_000, +302_000]) {
      const res = await signedFetch(t, 'GET', '/api/devices', undefined, { now: Date.now() + skew });
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toMatch(/timestamp/);
    }
  });

  it('refuse a signature made for another host, and take one made for this host name on another port', async () => {
    const port = new URL(t.server.url).port;
    const signedFor = async (host: string) =>
      fetch(`${t.server.url}/api/devices`, {
        headers: appSignatureHeaders(await signAppRequest(t.app, 'GET', `http://${host}/api/devices`)),
      });
    // a signature captured on its way to another server (here: a name of this very host) is refused
    const elsewhere = await signedFor(`localhost:${port}`);
    expect(elsewhere.status).toBe(401);
    expect((await errorOf(elsewhere)).message).toMatch(/bad signature/);
    expect((await signedFor(`staging.cams.example:${port}`)).status).toBe(401);
    // the port is not signed (reverse proxies drop it from Host)
    expect((await signedFor('127.0.0.1:1')).status).toBe(200);
    expect((await signedFor('127.0.0.1')).status).toBe(200);
  });

  it('refuse a replayed request (same nonce)', async () => {
    const sig = await signAppRequest(t.app, 'GET', `${t.server.url}/api/devices`);
    const send = (): Promise<Response> => fetch(`${t.server.url}/api/devices`, { headers: appSignatureHeaders(sig) });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).message).toMatch(/replay/);
  });

  it('ignore the query when signing the path', async () => {
    const res = await signedFetch(t, 'GET', '/api/devices', undefined);
    expect(res.status).toBe(200);
    const sig = await signAppRequest(t.app, 'GET', `${t.server.url}/api/devices`);
    const withQuery = await fetch(`${t.server.url}/api/devices?x=1`, { headers: appSignatureHeaders(sig) });
    expect(withQuery.status).toBe(200);
  });
});

describe('limits and routing', () => {
  it('refuse a body over 16 KiB with 413', async () => {
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).status).toBe(413);
  });

  it('answer 404 for unknown routes and 405 for wrong methods', async () => {
    expect((await signedFetch(t, 'GET', '/api/nothing')).status).toBe(404);
    const wrong = await signedFetch(t, 'DELETE', '/api/devices');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('refuse a body that is not the expected JSON with 400', async () => {
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/deviceName/);
  });
});

describe('POST /api/xp2pinfo', () => {
  it('answers 404 for an unknown device', async () => {
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'ghost' });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ status: 404, message: 'unknown device' });
  });

  it("answers another app's device (online or not) with the very bytes of a device that does not exist", async () => {
    const theirs = await t.server.accounts.addDevice(t.otherApp.appid, { productId: 'other', deviceName: 'cam9' });
    const ask = async (deviceName: string) => {
      const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'other', deviceName });
      return `${res.status} ${res.headers.get('content-type')} ${await res.text()}`;
    };
    const missing = await ask('no-such-cam');
    expect(await ask('cam9')).toBe(missing);
    await connectDevice(t, pool, theirs, { version: '2.4.50' });
    expect(await ask('cam9')).toBe(missing);
    // and their app sees it
    const own = await signedFetch(
      t,
      'POST',
      '/api/xp2pinfo',
      { productId: 'other', deviceName: 'cam9' },
      { app: t.otherApp },
    );
    expect(own.status).toBe(200);
  });

  it("lists only the calling app's devices", async () => {
    await t.server.accounts.addDevice(t.otherApp.appid, { productId: 'other', deviceName: 'cam9' });
    const mine = (await (await signedFetch(t, 'GET', '/api/devices')).json()) as { devices: { deviceName: string }[] };
    expect(mine.devices.map((d) => d.deviceName).sort()).toEqual(['cam1', 'cam2']);
    const theirs = (await (await signedFetch(t, 'GET', '/api/devices', undefined, { app: t.otherApp })).json()) as {
      devices: { deviceName: string }[];
    };
    expect(theirs.devices.map((d) => d.deviceName)).toEqual(['cam9']);
  });

  it('names the user and role in the token; an account of the app gets no more than its binding', async () => {
    await connectDevice(t, pool, t.cam1, { version: '2.4.50' });
    const claims = async (body: object) => {
      const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'cam1', ...body });
      if (res.status !== 200) return res.status;
      const token = decodeXp2pInfo(((await res.json()) as { xp2pInfo: string }).xp2pInfo).payload.token;
      const check = await verifyViewerToken(t.cam1.secret, token, t.cam1);
      return check.ok ? { user: check.payload.user, role: check.payload.role, account: check.payload.account } : check;
    };
    expect(await claims({})).toEqual({ user: 'app', role: 'owner', account: undefined });
    expect(await claims({ user: 'backend-user-7', role: 'viewer' })).toEqual({
      user: 'backend-user-7',
      role: 'viewer',
      account: undefined,
    });
    expect(await claims({ user: 'x', role: 'admin' })).toBe(400);
    await t.server.accounts.addUser(t.app.appid, 'ann', 'a long password');
    expect(await claims({ user: 'ann', role: 'viewer' })).toBe(403);
    await t.server.accounts.share('demo', 'cam1', 'ann', 'viewer');
    expect(await claims({ user: 'ann', role: 'viewer' })).toEqual({ user: 'ann', role: 'viewer', account: true });
    expect(await claims({ user: 'ann', role: 'operator' })).toBe(403);
  });

  it('answers 409 while the device is offline', async () => {
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'cam1' });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/demo\/cam1 is offline/);
  });

  it('issues an xp2pInfo for an online device whose token verifies with the device secret', async () => {
    await connectDevice(t, pool, t.cam1, { version: '2.4.50' });
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'cam1' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { xp2pInfo: string; expiresAt: number };
    const info = decodeXp2pInfo(body.xp2pInfo);
    expect(info.deviceVersion).toBe('2.4.50');
    expect(info.payload).toMatchObject({ v: 1, productId: 'demo', deviceName: 'cam1', server: t.server.url });
    const check = await verifyViewerToken(t.cam1.secret, info.payload.token, { productId: 'demo', deviceName: 'cam1' });
    expect(check).toMatchObject({ ok: true, payload: { appid: t.app.appid } });
    expect(body.expiresAt).toBe(check.ok ? check.payload.exp : -1);
    expect(body.expiresAt - Date.now() / 1000).toBeGreaterThan(590);
    expect(body.expiresAt - Date.now() / 1000).toBeLessThanOrEqual(600);
    // Another device's secret does not verify it.
    expect(
      (await verifyViewerToken(t.cam2.secret, info.payload.token, { productId: 'demo', deviceName: 'cam1' })).ok,
    ).toBe(false);
  });

  it('honours tokenTtlSeconds', async () => {
    const short = await startTestServer({ tokenTtlSeconds: 30 });
    try {
      await connectDevice(short, pool, short.cam1);
      const res = await signedFetch(short, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'cam1' });
      const { expiresAt } = (await res.json()) as { expiresAt: number };
      expect(expiresAt - Date.now() / 1000).toBeLessThanOrEqual(30);
    } finally {
      await pool.closeAll();
      await short.server.close();
    }
  });
});

describe('GET /api/devices', () => {
  it('lists every configured device with presence and open sessions', async () => {
    const before = await (await signedFetch(t, 'GET', '/api/devices')).json();
    expect(before).toEqual({
      devices: [
        { productId: 'demo', deviceName: 'cam1', online: false, viewers: 0 },
        { productId: 'demo', deviceName: 'cam2', online: false, viewers: 0 },
      ],
    });
    await connectDevice(t, pool, t.cam2, { version: '2.3.0' });
    const after = await (await signedFetch(t, 'GET', '/api/devices')).json();
    expect(after).toEqual({
      devices: [
        { productId: 'demo', deviceName: 'cam1', online: false, viewers: 0 },
        { productId: 'demo', deviceName: 'cam2', online: true, version: '2.3.0', viewers: 0 },
      ],
    });
  });
});
