/**
 * `GET /api/server-info` (open) and the STUN URLs the signalling hands out: the same advertised list,
 * from the config, the public URL or the listen address (stun/advertised-stun.ts has the rules).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool, connectViewer, startTestServer, testConfig, type TestServer } from '@xp2p/testing/server';
import { SERVER_VERSION } from '../version.js';

let t: TestServer | undefined;
const pool = new ClientPool();
afterEach(async () => {
  await pool.closeAll();
  await t?.server.close();
  t = undefined;
});

const serverInfo = async (s: TestServer) => {
  const res = await fetch(`${s.server.url}/api/server-info`);
  return { status: res.status, body: (await res.json()) as { version: string; stunUrls: string[] } };
};

describe('GET /api/server-info', () => {
  it('answers without a signature: version and the STUN URL of the loopback listen address', async () => {
    t = await startTestServer();
    expect(await serverInfo(t)).toEqual({
      status: 200,
      body: { version: SERVER_VERSION, stunUrls: [`stun:127.0.0.1:${t.server.stunPort}`] },
    });
  });

  it("advertises the public URL's host, in server-info and in the viewer's hello", async () => {
    t = await startTestServer({ publicUrl: 'https://cam.example.com' });
    const want = [`stun:cam.example.com:${t.server.stunPort}`];
    expect((await serverInfo(t)).body.stunUrls).toEqual(want);
    const { hello } = await connectViewer(t, pool);
    expect(hello.iceServers).toEqual([{ urls: want[0] }]);
  });

  it('advertises the configured STUN URLs (config file), before the public URL', async () => {
    const config = testConfig();
    const urls = ['stun:stun.example.net:3478', 'stun:203.0.113.50:19302'];
    t = await startTestServer({
      config: { ...config, server: { ...config.server, iceServers: urls } },
      publicUrl: 'https://cam.example.com',
    });
    expect((await serverInfo(t)).body.stunUrls).toEqual(urls);
    const { hello } = await connectViewer(t, pool);
    expect(hello.iceServers).toEqual(urls.map((url) => ({ urls: url })));
  });

  it('refuses other methods with 405', async () => {
    t = await startTestServer();
    const res = await fetch(`${t.server.url}/api/server-info`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});
