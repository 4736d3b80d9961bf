/**
 * A cluster whose nodes serve HTTPS/WSS with certificates from a private CA (made by openssl here), trusted
 * through NODE_EXTRA_CA_CERTS as docs/operations.md says: node B mirrors a stream published on node A over
 * HTTPS (its HTTP-FLV decodes, and so does a 1vN peer's on the https stream URL), and a viewer on node B
 * reaches the camera on node A (live view decodes).
 * Without the CA a client refuses the nodes' certificates: verification is on by default.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa, decodeErrors, trimToWholeTags, parsePrometheusText } from '@xp2p/testing';
import { CLI, start, stopAll, VIEWER, viewerEvents } from '../helpers/processes.js';
import { waitForChunks } from '../helpers/streams.js';
import { appParamsOf, startNode, type AppCredentials, type ServerNode } from './nodes.js';
import { startRedis, type RedisProcess } from './redis-process.js';
import { readFor } from '../helpers/http-read.js';

let redis: RedisProcess;
let dataDir: string;
let certDir: string;
let ca: string;
let env: Record<string, string>;
let nodeA: ServerNode;
let nodeB: ServerNode;
let appParams: AppCredentials;

beforeAll(async () => {
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'xp2p-cluster-tls-'));
  certDir = mkdtempSync(join(tmpdir(), 'xp2p-cluster-tls-ca-'));
  const testCa = makeTestCa(certDir);
  const { certFile, keyFile } = testCa.issue('node');
  ca = testCa.caFile;
  env = { NODE_EXTRA_CA_CERTS: ca };
  const tls = ['--tls-cert', certFile, '--tls-key', keyFile];
  nodeA = await startNode(dataDir, redis.url, tls, env);
  nodeB = await startNode(dataDir, redis.url, tls, env);
  appParams = appParamsOf(dataDir);
}, 60_000);

afterAll(async () => {
  await stopAll();
  await redis?.stop();
  for (const dir of [dataDir, certDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `ms` of an HTTPS body, trusting only the test CA. */
function readHttps(url: string, ms: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca: readFileSync(ca) }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      const done = () => {
        clearTimeout(cut);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) });
      };
      res.on('end', done);
      // a live stream never ends: take what came in `ms`
      const cut = setTimeout(() => {
        req.destroy();
        done();
      }, ms);
    });
    req.on('error', reject);
  });
}

/** A JSON body over HTTPS trusting only the test CA (undefined unless 200). */
function getHttpsJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca: readFileSync(ca) }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(Buffer.concat(parts).toString()) : undefined));
    }).on('error', reject);
  });
}

describe('a cluster over TLS with a private CA', () => {
  it('nodes serve https; node B mirrors a stream published on node A over HTTPS: HTTP-FLV and a 1vN peer decode', async () => {
    expect(nodeA.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const publisher = start([CLI, 'publish', 'secure', 'sample', '--server', nodeA.url, '--data', dataDir], { env });
    await publisher.waitForLine(/^publishing:/, 20_000);
    await waitForChunks(nodeA.url, 'secure', { get: getHttpsJson });
    const { status, body } = await readHttps(`${nodeB.url}/live/secure.flv`, 4_000);
    expect(status).toBe(200);
    const out = join(dataDir, 'secure.flv');
    writeFileSync(out, body);
    expect(trimToWholeTags(out).byteLength).toBeGreaterThan(50_000);
    expect(await decodeErrors(out)).toBe('');
    // B fetched the stream from A (once, over HTTPS), it did not have it on its own
    const b = await metricsOfTls(nodeB.url);
    expect(b.get('xp2p_cluster_fetched_bytes_total')).toBeGreaterThan(0);

    // a 1vN peer on the https stream URL (the guide's 1vN wants https): `xp2p watch` plays it locally
    const watcher = start([CLI, 'watch', `${nodeB.url}/live/secure.flv`, '--data', dataDir], { env });
    const play = (await watcher.waitForLine(/^play: (\S+)/, 20_000))[1]!;
    const watched = join(dataDir, 'watched.flv');
    writeFileSync(watched, await readFor(play, 4_000));
    expect(trimToWholeTags(watched).byteLength).toBeGreaterThan(50_000);
    expect(await decodeErrors(watched)).toBe('');
    await watcher.kill();
    await publisher.kill();
  }, 60_000);

  it('a viewer on node B reaches the camera on node A over WSS: live view decodes; without the CA it is refused', async () => {
    const device = start([CLI, 'device', '--server', nodeA.url, '--data', dataDir], { env });
    await device.waitForLine(/^device: .* online/, 20_000);
    const out = join(dataDir, 'viewer-b.flv');
    const viewerArgs = (file: string) =>
      JSON.stringify({
        server: nodeB.url,
        appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out: file,
        durationMs: 4_000,
      });
    const viewer = start([VIEWER, viewerArgs(out)], { env });
    await viewer.waitForLine(/"done":true/, 40_000);
    expect(viewerEvents(viewer).find((e) => 'result' in e)?.result).toBe(0);
    expect(trimToWholeTags(out).byteLength).toBeGreaterThan(50_000);
    expect(await decodeErrors(out)).toBe('');

    // The same viewer without the CA: the node's certificate is not trusted, so it gets no xp2pInfo.
    const untrusted = start([VIEWER, viewerArgs(join(dataDir, 'untrusted.flv'))], { env: { NODE_EXTRA_CA_CERTS: '' } });
    await untrusted.exited;
    const refused = viewerEvents(untrusted).find((e) => 'xp2pInfoError' in e);
    console.log(`without the CA: ${String(refused?.xp2pInfoError)}`);
    expect(String(refused?.xp2pInfoError), JSON.stringify(viewerEvents(untrusted))).toMatch(/certificate/i);
    await device.kill();
  }, 90_000);
});

/** `ms` of a local plain-HTTP stream (the watcher's player URL). */
/** /metrics over HTTPS (the shared helper's fetch does not know the test CA in this process). */
async function metricsOfTls(url: string): Promise<Map<string, number>> {
  const { body } = await readHttps(`${url}/metrics`, 5_000);
  return parsePrometheusText(body.toString());
}
