import { decodeXp2pInfo, peekViewerToken } from '@xp2p/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientPool,
  connectDevice,
  sessionId,
  startTestServer,
  TestClient,
  type TestServer,
} from '@xp2p/testing/server';
import { issueSignalTicket } from '../auth/signal-ticket.js';
import { SIGN_IN_REFUSED } from './web-api.js';

let t: TestServer;
const pool = new ClientPool();

async function setUp(tuning: Parameters<typeof startTestServer>[0] = {}): Promise<void> {
  t = await startTestServer(tuning);
  const { accounts } = t.server;
  await accounts.addUser(t.app.appid, 'alice', 'alice-password');
  await accounts.addUser(t.app.appid, 'bob', 'bob-password');
  await accounts.addUser(t.otherApp.appid, 'carol', 'carol-password');
  await accounts.share('demo', 'cam1', 'alice', 'owner');
  await accounts.addDevice(t.otherApp.appid, { productId: 'other', deviceName: 'cam9' });
  await accounts.share('other', 'cam9', 'carol', 'owner');
}
afterEach(async () => {
  await pool.closeAll();
  await t?.server.close();
});

const url = (path: string) => `${t.server.url}${path}`;

function signIn(name: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url('/api/web/sign-in'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name, password }),
  });
}

/** Signs in and returns what the page holds: the cookie (as the browser would send it) and the CSRF token. */
async function session(name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await signIn(name, password);
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrf: string }).csrf };
}

function post(path: string, s: { cookie: string; csrf?: string }, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url(path), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: s.cookie,
      ...(s.csrf ? { 'x-xp2p-csrf': s.csrf } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const raw = async (res: Response) => ({
  status: res.status,
  type: res.headers.get('content-type'),
  length: res.headers.get('content-length'),
  cookie: res.headers.get('set-cookie'),
  body: await res.text(),
});

describe('web sign-in', () => {
  beforeEach(() => setUp());

  it('sets an HttpOnly, SameSite=Strict session cookie (no Secure over plain http) and returns a CSRF token', async () => {
    const res = await signIn('alice', 'alice-password');
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^xp2p_session=[A-Za-z0-9_-]{43}; /);
    const flags = cookie.split('; ').slice(1);
    expect(flags).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=43200']));
    expect(flags).not.toContain('Secure');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ user: 'alice', appid: t.app.appid, csrf: expect.stringMatching(/^\S{43}$/) });
    expect(JSON.stringify(body)).not.toContain(t.app.appSecretKey);
  });

  it('answers an unknown user and a wrong password with the same bytes, and sets no cookie', async () => {
    const wrong = await raw(await signIn('alice', 'not-her-password'));
    const unknown = await raw(await signIn('nobody', 'not-her-password'));
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ status: 401, cookie: null });
    expect(JSON.parse(wrong.body)).toEqual({ error: { status: 401, message: SIGN_IN_REFUSED } });
  });

  it('refuses bad bodies: not JSON, extra fields, oversized, another content type', async () => {
    const send = (body: string, type = 'application/json') =>
      fetch(url('/api/web/sign-in'), { method: 'POST', headers: { 'content-type': type }, body });
    expect((await send('{')).status).toBe(400);
    expect((await send(JSON.stringify({ name: 'alice', password: 'x', admin: true }))).status).toBe(400);
    expect((await send(JSON.stringify({ name: 'alice', password: 'x'.repeat(5000) }))).status).toBe(413);
    expect((await send('name=alice&password=alice-password', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('refuses a sign-in posted from another origin', async () => {
    const res = await signIn('alice', 'alice-password', { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('a one-time link signs in once, redirects to a clean URL, and is refused the second time', async () => {
    const link = await t.server.signInLink('alice');
    expect(link).toMatch(/\/\?token=[A-Za-z0-9_-]{43}$/);
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const who = await fetch(url('/api/web/session'), { headers: { cookie } });
    expect(await who.json()).toMatchObject({ user: 'alice' });
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('signing in again ends the session the browser had', async () => {
    const first = await session('alice', 'alice-password');
    const again = await signIn('bob', 'bob-password', { cookie: first.cookie });
    expect(again.status).toBe(200);
    expect((await fetch(url('/api/web/devices'), { headers: { cookie: first.cookie } })).status).toBe(401);
  });

  it('sign-out ends the session: the cookie no longer works', async () => {
    const s = await session('alice', 'alice-password');
    const out = await post('/api/web/sign-out', s, {});
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^xp2p_session=; .*Max-Age=0/);
    expect((await fetch(url('/api/web/devices'), { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('the status page at / needs a signed-in user', async () => {
    expect((await fetch(url('/'))).status).toBe(401);
    const s = await session('bob', 'bob-password');
    const page = await fetch(url('/'), { headers: { cookie: s.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Cameras online/);
  });
});

describe('web xp2pInfo, CSRF and tickets', () => {
  beforeEach(() => setUp());

  it('lists only the devices shared with the user, with their role', async () => {
    const s = await session('alice', 'alice-password');
    const res = await fetch(url('/api/web/devices'), { headers: { cookie: s.cookie } });
    const { devices } = (await res.json()) as { devices: { productId: string; deviceName: string; role: string }[] };
    expect(devices.map((d) => `${d.productId}/${d.deviceName} ${d.role}`)).toEqual(['demo/cam1 owner']);
  });

  it('refuses a state-changing request without the CSRF token or from another origin', async () => {
    await connectDevice(t, pool);
    const s = await session('alice', 'alice-password');
    const cam = { productId: 'demo', deviceName: 'cam1' };
    expect((await post('/api/web/xp2pinfo', { cookie: s.cookie }, cam)).status).toBe(403);
    expect((await post('/api/web/xp2pinfo', { cookie: s.cookie, csrf: 'x'.repeat(43) }, cam)).status).toBe(403);
    expect((await post('/api/web/xp2pinfo', s, cam, { origin: 'http://evil.example' })).status).toBe(403);
    const ok = await post('/api/web/xp2pinfo', s, cam, { origin: t.server.url });
    expect(ok.status).toBe(200);
    const { xp2pInfo } = (await ok.json()) as { xp2pInfo: string };
    const token = peekViewerToken(decodeXp2pInfo(xp2pInfo).payload.token);
    expect(token).toMatchObject({ user: 'alice', role: 'owner', appid: t.app.appid, account: true });
  });

  it('gives an unshared device and another app device the same answer as an unknown one', async () => {
    const s = await session('bob', 'bob-password');
    const answers = await Promise.all(
      [
        { productId: 'demo', deviceName: 'cam1' },
        { productId: 'other', deviceName: 'cam9' },
        { productId: 'none', deviceName: 'none' },
      ].map(async (d) => raw(await post('/api/web/xp2pinfo', s, d))),
    );
    expect(answers[0]).toMatchObject({ status: 404 });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('a ticket opens the viewer socket; a forged, another app or expired one does not', async () => {
    const s = await session('alice', 'alice-password');
    const { ticket } = (await (await post('/api/web/ticket', s, {})).json()) as { ticket: string };
    const open = (tk: string) => pool.add(new TestClient(t.wsUrl(`/signal/viewer?ticket=${encodeURIComponent(tk)}`)));
    const good = open(ticket);
    expect((await good.next()).type).toBe('hello');
    // one socket per ticket: the same ticket again (read from a proxy's log, say) opens nothing
    await expect(open(ticket).opened).rejects.toThrow(/HTTP 401/);
    expect(t.logs.some((l) => /viewer refused: signalling ticket already used/.test(l))).toBe(true);

    // the payload says app 2, the mac was made for app 1
    const [v, payload, mac] = ticket.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const moved = Buffer.from(JSON.stringify({ ...claims, appid: t.otherApp.appid })).toString('base64url');
    await expect(open(`${v}.${moved}.${mac}`).opened).rejects.toThrow(/HTTP 401/);
    const renamed = Buffer.from(JSON.stringify({ ...claims, user: 'bob' })).toString('base64url');
    await expect(open(`${v}.${renamed}.${mac}`).opened).rejects.toThrow(/HTTP 401/);
    const expired = issueSignalTicket(t.app, 'alice', 60, { nowMs: Date.now() - 120_000 }).ticket;
    await expect(open(expired).opened).rejects.toThrow(/HTTP 401/);
    expect(t.logs.some((l) => /viewer refused: signalling ticket has expired/.test(l))).toBe(true);
    // made for another host name (as an app signature is): refused here, whatever the port
    const elsewhere = issueSignalTicket(t.app, 'alice', 60, { host: 'cams.example.com:443' }).ticket;
    await expect(open(elsewhere).opened).rejects.toThrow(/HTTP 401/);
    expect(t.logs.some((l) => /viewer refused: signalling ticket was issued for another host/.test(l))).toBe(true);
    // the web API's own tickets name the host the page used; a minted one without a host is taken anywhere
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ host: '127.0.0.1' });
    const anyHost = pool.add(
      new TestClient(t.wsUrl(`/signal/viewer?ticket=${issueSignalTicket(t.app, 'alice', 60).ticket}`)),
    );
    expect((await anyHost.next()).type).toBe('hello');
  });

  it("a ticket's socket may present only its own user's viewer tokens", async () => {
    await connectDevice(t, pool);
    await t.server.accounts.share('demo', 'cam1', 'bob', 'viewer');
    const alice = await session('alice', 'alice-password');
    const bob = await session('bob', 'bob-password');
    const bobInfo = (await (
      await post('/api/web/xp2pinfo', bob, { productId: 'demo', deviceName: 'cam1' })
    ).json()) as {
      xp2pInfo: string;
    };
    const { ticket } = (await (await post('/api/web/ticket', alice, {})).json()) as { ticket: string };
    const viewer = pool.add(new TestClient(t.wsUrl(`/signal/viewer?ticket=${ticket}`)));
    expect((await viewer.next()).type).toBe('hello');
    const id = sessionId();
    viewer.send({
      type: 'offer',
      sessionId: id,
      token: decodeXp2pInfo(bobInfo.xp2pInfo).payload.token,
      sdp: 'v=0\r\n',
    });
    expect(await viewer.next()).toMatchObject({
      type: 'error',
      sessionId: id,
      status: 403,
      message: 'viewer token was issued to another user',
    });
  });
});

describe('web sign-in rate limits', () => {
  it('per user name: after the burst even the right password waits (429), from any address', async () => {
    await setUp({ tuning: { signInBurstPerUser: 3, signInsPerSecondPerUser: 0.001 } });
    for (let i = 0; i < 3; i++) expect((await signIn('alice', 'wrong-password')).status).toBe(401);
    const limited = await signIn('alice', 'alice-password');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('set-cookie')).toBeNull();
    expect((await signIn('bob', 'bob-password')).status).toBe(200); // another name is not held up
  });

  it('per address: many names from one address are stopped too', async () => {
    await setUp({ tuning: { signInBurstPerAddress: 4, signInsPerSecondPerAddress: 0.001 } });
    for (let i = 0; i < 4; i++) expect((await signIn(`guess${i}`, 'password')).status).toBe(401);
    expect((await signIn('alice', 'alice-password')).status).toBe(429);
  });
});

describe('owners: sharing and audit', () => {
  beforeEach(() => setUp());

  it('an owner shares with a user of the same app and sees it in the audit log; unshare takes it away', async () => {
    const alice = await session('alice', 'alice-password');
    const cam = { productId: 'demo', deviceName: 'cam1' };
    const shared = await post('/api/web/share', alice, { ...cam, user: 'bob', role: 'viewer' });
    expect(shared.status).toBe(200);
    expect(await t.server.accounts.roleOf('bob', 'demo', 'cam1')).toBe('viewer');
    const shares = await fetch(url('/api/web/shares?device=demo/cam1'), { headers: { cookie: alice.cookie } });
    expect(((await shares.json()) as { shares: { user: string }[] }).shares.map((s) => s.user)).toEqual([
      'alice',
      'bob',
    ]);
    const audit = await fetch(url('/api/web/audit?device=demo/cam1'), { headers: { cookie: alice.cookie } });
    const { entries } = (await audit.json()) as { entries: { action: string; user: string; detail: string }[] };
    expect(entries[0]).toMatchObject({ action: 'share', user: 'alice', detail: 'bob as viewer' });
    expect((await post('/api/web/unshare', alice, { ...cam, user: 'bob' })).status).toBe(200);
    expect(await t.server.accounts.roleOf('bob', 'demo', 'cam1')).toBeUndefined();
    // an owner cannot lock themselves out here
    expect((await post('/api/web/unshare', alice, { ...cam, user: 'alice' })).status).toBe(400);
  });

  it('another app user is as unknown as a user that does not exist; a viewer may not share; CSRF holds', async () => {
    const alice = await session('alice', 'alice-password');
    const cam = { productId: 'demo', deviceName: 'cam1' };
    const carol = await raw(await post('/api/web/share', alice, { ...cam, user: 'carol', role: 'owner' }));
    const nobody = await raw(await post('/api/web/share', alice, { ...cam, user: 'nobody', role: 'owner' }));
    expect(carol.status).toBe(404);
    expect(carol.body.replace('carol', 'X')).toBe(nobody.body.replace('nobody', 'X'));
    expect(
      (await post('/api/web/share', { cookie: alice.cookie }, { ...cam, user: 'bob', role: 'viewer' })).status,
    ).toBe(403);
    await t.server.accounts.share('demo', 'cam1', 'bob', 'viewer');
    const bob = await session('bob', 'bob-password');
    const refused = await post('/api/web/share', bob, { ...cam, user: 'bob', role: 'owner' });
    expect(refused.status).toBe(403);
    expect((await fetch(url('/api/web/audit?device=demo/cam1'), { headers: { cookie: bob.cookie } })).status).toBe(403);
    // a device of another app: the unknown-device answer
    const other = await fetch(url('/api/web/audit?device=other/cam9'), { headers: { cookie: alice.cookie } });
    expect(other.status).toBe(404);
  });
});
