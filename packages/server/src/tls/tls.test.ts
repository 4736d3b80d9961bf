import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, startTestServer, TestClient, type TestServer } from '@xp2p/testing/server';
import { makeTestCa, type TestCa } from '@xp2p/testing';

let dir: string;
let ca: TestCa;
let t: TestServer | undefined;
const pool = new ClientPool();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xp2p-tls-'));
  ca = makeTestCa(dir);
});
afterAll(async () => {
  await pool.closeAll();
  await t?.server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** GET over HTTPS with certificate verification on, trusting only our test CA (unless `trust` is false). */
function httpsGet(url: string, trust = true): Promise<{ status: number; body: string; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ...(trust ? { ca: readFileSync(ca.caFile) } : {}), agent: false }, (res) => {
      const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert }));
    });
    req.on('error', reject);
  });
}

describe('TLS', () => {
  it('serves HTTPS and WSS with a verified certificate, and reloads a replaced certificate without a restart', async () => {
    const first = ca.issue('first');
    const live = { certFile: join(dir, 'live.crt'), keyFile: join(dir, 'live.key') };
    copyFileSync(first.certFile, live.certFile);
    copyFileSync(first.keyFile, live.keyFile);
    t = await startTestServer({ tls: live, tuning: { tlsReloadPollMs: 50 } });
    expect(t.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const ok = await httpsGet(`${t.server.url}/healthz`);
    expect(ok).toMatchObject({ status: 200, body: '{"ok":true}' });
    const firstSerial = ok.cert.serialNumber;
    // Verification stays on: a client that does not trust the CA refuses the server.
    await expect(httpsGet(`${t.server.url}/healthz`, false)).rejects.toThrow(
      /self-signed|unable to verify|self signed/,
    );

    const ws = pool.add(new TestClient(t.wsUrl('/signal/device'), { ca: readFileSync(ca.caFile) }));
    expect(await ws.next()).toMatchObject({ type: 'challenge' });

    // Renew: write the new pair next to the live one and rename it into place, as certbot does.
    const second = ca.issue('second');
    renameSync(second.keyFile, live.keyFile);
    renameSync(second.certFile, live.certFile);
    await expect
      .poll(async () => (await httpsGet(`${t!.server.url}/healthz`)).cert.serialNumber, {
        timeout: 5000,
        interval: 100,
      })
      .not.toBe(firstSerial);
    expect(t.logs.some((l) => l.startsWith('tls: certificate reloaded'))).toBe(true);
    // The open WSS connection was not disturbed.
    ws.send({ type: 'ping' });
    expect(await ws.next()).toEqual({ type: 'pong' });
  });

  it('refuses to start with a key that does not match the certificate, naming the file', async () => {
    const a = ca.issue('a');
    const b = ca.issue('b');
    await expect(startTestServer({ tls: { certFile: a.certFile, keyFile: b.keyFile } })).rejects.toThrow(
      /a\.crt: TLS certificate and key cannot be used together/,
    );
  });
});
