import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeXp2pInfo } from '@xp2p/protocol';
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
import { parsePrometheusText } from '@xp2p/testing';

let t: TestServer | undefined;
let dir: string;
const pool = new ClientPool();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-web-'));
});
afterEach(async () => {
  await pool.closeAll();
  await t?.server.close();
  t = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A raw GET (fetch normalises `..` away, so traversal attempts need a client that sends the path as is). */
function rawGet(
  url: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const metrics = async (s: TestServer): Promise<Map<string, number>> => {
  const res = await fetch(`${s.server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
};

describe('web root', () => {
  beforeEach(async () => {
    const root = join(dir, 'www');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'app.css'), 'body{}');
    await writeFile(join(root, 'assets', 'm.wasm'), new Uint8Array([0, 97, 115, 109]));
    await writeFile(join(root, 'assets', 'i.svg'), '<svg/>');
    await writeFile(join(root, 'assets', 'd.json'), '{}');
    await writeFile(join(root, 'assets', 'p.png'), new Uint8Array([137, 80, 78, 71]));
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    await symlink(join(dir, 'secret.txt'), join(root, 'escape.txt'));
    t = await startTestServer({ webRoot: root });
  });

  it('serves index.html for / with no-cache, and assets with their content types', async () => {
    const index = await fetch(`${t!.server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>app</title>');
    const types: Record<string, string> = {
      'app.js': 'text/javascript; charset=utf-8',
      'app.css': 'text/css; charset=utf-8',
      'm.wasm': 'application/wasm',
      'i.svg': 'image/svg+xml',
      'd.json': 'application/json; charset=utf-8',
      'p.png': 'image/png',
    };
    for (const [file, type] of Object.entries(types)) {
      const res = await fetch(`${t!.server.url}/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(type);
      // unhashed build outputs: revalidate, so a rebuilt app is never half stale
      expect(res.headers.get('cache-control'), file).toBe('no-cache');
      await res.arrayBuffer();
    }
    const head = await rawGet(t!.server.url, '/assets/app.js', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '', headers: { 'content-length': '14' } });
  });

  it('refuses anything outside the root, however it is spelt, and 404s what does not exist', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/escape.txt',
    ]) {
      const res = await rawGet(t!.server.url, path);
      expect(res.status, path).toBe(403);
      expect(res.body).not.toContain('do not serve');
    }
    expect((await rawGet(t!.server.url, '/nope.js')).status).toBe(404);
    expect((await rawGet(t!.server.url, '/assets')).status).toBe(301);
    expect((await rawGet(t!.server.url, '/', 'POST')).status).toBe(405);
    // The API and the operator endpoints are not shadowed by the web root.
    expect((await rawGet(t!.server.url, '/healthz')).status).toBe(200);
    expect((await rawGet(t!.server.url, '/readyz')).status).toBe(200);
  });
});

describe('without a web root', () => {
  it('answers / with a status page to a signed-in user: version, cameras online and their viewers, streams', async () => {
    t = await startTestServer();
    await connectDevice(t, pool, t.cam1);
    const pub = t.server.origin.openPublisher('room1');
    // it names cameras: without a web sign-in it is a 401 page that says how to sign in
    const stranger = await fetch(`${t.server.url}/`);
    expect(stranger.status).toBe(401);
    const refusal = await stranger.text();
    expect(refusal).toMatch(/Sign in first/);
    expect(refusal).not.toContain('demo/cam1');
    await t.server.accounts.addUser(t.app.appid, 'olga', 'olga-password');
    const signIn = await fetch(`${t.server.url}/api/web/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'olga', password: 'olga-password' }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const res = await fetch(`${t.server.url}/`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toMatch(/xp2p server \d+\.\d+\.\d+/);
    expect(html).toContain('Cameras online: 1 of 2, viewers: 0');
    expect(html).toContain('demo/cam1');
    expect(html).toContain('room1');
    expect(html).not.toContain(t.cam1.secret);
    pub.end();
    expect((await fetch(`${t.server.url}/other`)).status).toBe(404);
  });
});

describe('/metrics and /readyz', () => {
  it('parse as Prometheus text, and the counters move with traffic', async () => {
    t = await startTestServer();
    const before = await metrics(t);
    expect(before.get('xp2p_cameras_online')).toBe(0);
    expect(before.get('xp2p_cluster_ready')).toBe(1);

    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = (await connectViewer(t, pool)).client;
    const res = await signedFetch(t, 'POST', '/api/xp2pinfo', { productId: 'demo', deviceName: 'cam1' });
    const { token } = decodeXp2pInfo(((await res.json()) as { xp2pInfo: string }).xp2pInfo).payload;
    const id = sessionId();
    viewer.send({ type: 'offer', sessionId: id, token, sdp: 'v=0' });
    await device.next();
    device.send({ type: 'answer', sessionId: id, sdp: 'v=0 answer' });
    await viewer.next();
    viewer.send({ type: 'offer', sessionId: id, token: 'junk', sdp: 'v=0' }); // refused: 409 (id in use)
    await viewer.next();
    // the viewer's own figures for its session count; figures for a session it does not hold are refused
    viewer.send({ type: 'report', sessionId: id, path: 'host', ttffMs: 42 });
    viewer.send({ type: 'report', sessionId: id, path: 'relay', bytes: 5000 });
    viewer.send({ type: 'report', sessionId: sessionId(), path: 'host', bytes: 99 });
    expect(await viewer.next()).toMatchObject({ type: 'error', status: 404 });
    expect((await fetch(`${t.server.url}/api/devices`)).status).toBe(401);
    const pub = t.server.origin.openPublisher('m');
    t.server.origin.countSent('m', 1234);

    const after = await metrics(t);
    expect(after.get('xp2p_cameras_online')).toBe(1);
    expect(after.get('xp2p_connections{kind="device"}')).toBe(1);
    expect(after.get('xp2p_connections{kind="viewer"}')).toBe(1);
    expect(after.get('xp2p_connections_total{kind="viewer"}')).toBe(1);
    expect(after.get('xp2p_sessions')).toBe(1);
    expect(after.get('xp2p_sessions_total')).toBe(1);
    expect(after.get('xp2p_signal_offer_answer_seconds_count')).toBe(1);
    expect(after.get('xp2p_viewer_ttff_seconds_count{path="host"}')).toBe(1);
    expect(after.get('xp2p_viewer_ttff_seconds_bucket{le="0.05",path="host"}')).toBe(1);
    expect(after.get('xp2p_viewer_bytes_total{path="relay"}')).toBe(5000);
    expect(after.get('xp2p_viewer_bytes_total{path="host"}')).toBeUndefined();
    expect(after.get('xp2p_refusals_total{where="signal",code="409"}')).toBe(1);
    expect(after.get('xp2p_refusals_total{where="http",code="401"}')).toBe(1);
    expect(after.get('xp2p_origin_bytes_total')).toBe(1234);
    expect(after.get('xp2p_tracker_peers')).toBe(0);
    pub.end();
    await viewer.close();
    await expect.poll(async () => (await metrics(t!)).get('xp2p_connections{kind="viewer"}')).toBe(0);
  });

  it('readyz is 200 while serving and 503 once draining', async () => {
    t = await startTestServer();
    const ready = await fetch(`${t.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    expect(t.server.ready()).toBe(true);
    const closing = t.server.close();
    expect(t.server.ready()).toBe(false);
    await closing;
  });
});

describe('limits', () => {
  it('refuses connections beyond the per-app limit with 429, counting only that app', async () => {
    t = await startTestServer({ tuning: { maxConnectionsPerApp: 2 } });
    await connectViewer(t, pool);
    await connectViewer(t, pool);
    const third = pool.add(new TestClient(await viewerUrl(t)));
    await expect(third.opened).rejects.toThrow(/HTTP 429/);
    await connectViewer(t, pool, t.otherApp); // another app is not affected
    await pool.closeAll();
    await connectViewer(t, pool); // closed sockets free their slots
  });

  it('refuses joins beyond the per-second budget with 429 and recovers', async () => {
    t = await startTestServer({ tuning: { joinBurst: 3, joinsPerSecond: 5 } });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, async () => {
        const c = pool.add(new TestClient(t!.wsUrl('/signal/device')));
        await c.opened;
      }),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/HTTP 429/);
    await new Promise((r) => setTimeout(r, 450));
    await pool.add(new TestClient(t.wsUrl('/signal/device'))).opened;
  });
});

describe('public URL in xp2pInfo', () => {
  const serverIn = async (
    s: TestServer,
    headers: Record<string, string> = {},
    signedBase?: string,
  ): Promise<string> => {
    await connectDevice(s, pool, s.cam1);
    const body = { productId: 'demo', deviceName: 'cam1' };
    const res = await signedFetch(s, 'POST', '/api/xp2pinfo', body, { headers, ...(signedBase ? { signedBase } : {}) });
    return decodeXp2pInfo(((await res.json()) as { xp2pInfo: string }).xp2pInfo).payload.server ?? '';
  };
  it('uses publicUrl when configured', async () => {
    t = await startTestServer({ publicUrl: 'https://cams.example.com/' });
    expect(await serverIn(t, { 'x-forwarded-host': 'evil.example' })).toBe('https://cams.example.com');
  });
  it('uses X-Forwarded-Proto/Host only with trustProxy', async () => {
    t = await startTestServer();
    const fwd = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'proxy.example:8443' };
    expect(await serverIn(t, fwd)).toBe(t.server.url);
    await t.server.close();
    t = await startTestServer({ trustProxy: true });
    // the client called the proxy, so its signature covers the proxy's host
    expect(await serverIn(t, fwd, 'https://proxy.example:8443')).toBe('https://proxy.example:8443');
  });
});
