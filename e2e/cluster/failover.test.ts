/**
 * Failover between nodes: a camera given two server URLs logs in to node B; node B is killed (SIGKILL, no
 * drain), and the camera must log in to node A within 10 s. A new viewer given the same list (dead node
 * first) reaches the camera through A and its live view decodes; A's /metrics counters move with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupNodeWebRTC, createNodeP2PModule } from '@xp2p/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, trimToWholeTags } from '../helpers/media-check.js';
import { CLI, start, stopAll, VIEWER, viewerEvents } from '../helpers/processes.js';
import { appParamsOf, escapeRegExp, metricsOf, startNode, type AppCredentials, type ServerNode } from './nodes.js';
import { startRedis, type RedisProcess } from './redis-process.js';

let redis: RedisProcess;
let dataDir: string;
let nodeA: ServerNode;
let nodeB: ServerNode;
let appParams: AppCredentials;

beforeAll(async () => {
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'xp2p-failover-'));
  nodeA = await startNode(dataDir, redis.url);
  nodeB = await startNode(dataDir, redis.url);
  appParams = appParamsOf(dataDir);
}, 60_000);

afterAll(async () => {
  await stopAll();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a node dies', () => {
  it("node B killed: its camera logs in to node A within 10 s, and a new viewer's live view decodes", async () => {
    const servers = `${nodeB.url},${nodeA.url}`;
    const device = start([CLI, 'device', '--server', servers, '--data', dataDir]);
    await device.waitForLine(new RegExp(`online at ${escapeRegExp(nodeB.url)}$`), 30_000);
    // An app already running, its signalling on node B: when B dies it reconnects to A by itself.
    const sdkLog: string[] = [];
    const app = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    const init = await app.init({
      appParams: { ...appParams, serverUrl: [nodeB.url, nodeA.url] },
      probe: 'off',
      eventHandler: (event, detail) => event === 'log' && sdkLog.push(String(detail)),
    });
    expect(init).toBe(0);
    await expect.poll(async () => (await metricsOf(nodeB.url)).get('xp2p_connections{kind="viewer"}')).toBe(1);
    const before = await metricsOf(nodeA.url);
    expect(before.get('xp2p_cameras_online')).toBe(0);

    const killedAt = performance.now();
    nodeB.proc.proc.kill('SIGKILL');
    await nodeB.proc.exited;
    await device.waitForLine(new RegExp(`online at ${escapeRegExp(nodeA.url)}$`), 10_000);
    const failoverMs = Math.round(performance.now() - killedAt);
    console.log(`failover: camera back online on node A ${failoverMs} ms after node B was killed`);
    expect(failoverMs).toBeLessThan(10_000);
    await expect
      .poll(() => sdkLog.some((l) => l === `signalling reconnected to ${nodeA.url}`), { timeout: 10_000 })
      .toBe(true);
    app.destroy();
    cleanupNodeWebRTC();

    // The viewer's list starts with the dead node: the sdk (xp2pInfo request and signalling) moves on to A.
    const out = join(dataDir, 'viewer-after-failover.flv');
    const viewer = start([
      VIEWER,
      JSON.stringify({ server: servers, appParams, productId: 'demo', deviceName: 'cam1', out, durationMs: 4_000 }),
    ]);
    await viewer.waitForLine(/"done":true/, 40_000);
    const events = viewerEvents(viewer);
    expect(events.find((e) => 'result' in e)?.result).toBe(0);
    expect(events.some((e) => 'unhandledRejection' in e)).toBe(false);
    expect(trimToWholeTags(out).byteLength).toBeGreaterThan(50_000);
    expect(await decodeErrors(out)).toBe('');

    // The CLI takes the same list: a command round-trips through A with B dead.
    const cmd = start([
      CLI,
      'cmd',
      'demo/cam1',
      'action=inner_define&channel=0&cmd=get_device_st&type=live',
      '--server',
      servers,
      '--data',
      dataDir,
    ]);
    expect(await cmd.exited).toBe(0);
    expect(cmd.lines.join('\n')).toMatch(/"type": "success"/);

    // /metrics parses as Prometheus text and its counters moved with this traffic.
    const after = await metricsOf(nodeA.url);
    const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(after.get('xp2p_cameras_online')).toBe(1);
    expect(delta('xp2p_connections_total{kind="device"}')).toBeGreaterThanOrEqual(1);
    expect(delta('xp2p_connections_total{kind="viewer"}')).toBeGreaterThanOrEqual(1);
    expect(delta('xp2p_sessions_total')).toBeGreaterThanOrEqual(1);
    expect(delta('xp2p_signal_offer_answer_seconds_count')).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
