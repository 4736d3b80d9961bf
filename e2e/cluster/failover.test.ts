/**
 * Failover between nodes: a camera given two server URLs logs in to node B; node B is killed (SIGKILL, no
 * drain), and the camera must log in to node A within 10 s. A new viewer given the same list (dead node
 * first) reaches the camera through A and its live view decodes; A's /metrics counters move with it.
 */
import { join } from 'node:path';
import { cleanupNodeWebRTC, createNodeP2PModule } from '@xp2p/sdk/node';
import { describe, expect, it } from 'vitest';
import { decodeErrors, trimToWholeTags } from '@xp2p/testing';
import { CLI, start, VIEWER, viewerEvents } from '../helpers/processes.js';
import { escapeRegExp, metricsOf, useTwoNodeCluster } from './nodes.js';

const cluster = useTwoNodeCluster('xp2p-failover-');

describe('a node dies', () => {
  it("node B killed: its camera logs in to node A within 10 s, and a new viewer's live view decodes", async () => {
    const servers = `${cluster.nodeB.url},${cluster.nodeA.url}`;
    const device = start([CLI, 'device', '--server', servers, '--data', cluster.dataDir]);
    await device.waitForLine(new RegExp(`online at ${escapeRegExp(cluster.nodeB.url)}$`), 30_000);
    // An app already running, its signalling on node B: when B dies it reconnects to A by itself.
    const sdkLog: string[] = [];
    const app = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    const init = await app.init({
      appParams: { ...cluster.appParams, serverUrl: [cluster.nodeB.url, cluster.nodeA.url] },
      probe: 'off',
      eventHandler: (event, detail) => event === 'log' && sdkLog.push(String(detail)),
    });
    expect(init).toBe(0);
    await expect.poll(async () => (await metricsOf(cluster.nodeB.url)).get('xp2p_connections{kind="viewer"}')).toBe(1);
    const before = await metricsOf(cluster.nodeA.url);
    expect(before.get('xp2p_cameras_online')).toBe(0);

    const killedAt = performance.now();
    cluster.nodeB.proc.proc.kill('SIGKILL');
    await cluster.nodeB.proc.exited;
    await device.waitForLine(new RegExp(`online at ${escapeRegExp(cluster.nodeA.url)}$`), 10_000);
    const failoverMs = Math.round(performance.now() - killedAt);
    console.log(`failover: camera back online on node A ${failoverMs} ms after node B was killed`);
    expect(failoverMs).toBeLessThan(10_000);
    await expect
      .poll(() => sdkLog.some((l) => l === `signalling reconnected to ${cluster.nodeA.url}`), { timeout: 10_000 })
      .toBe(true);
    app.destroy();
    cleanupNodeWebRTC();

    // The viewer's list starts with the dead node: the sdk (xp2pInfo request and signalling) moves on to A.
    const out = join(cluster.dataDir, 'viewer-after-failover.flv');
    const viewer = start([
      VIEWER,
      JSON.stringify({
        server: servers,
        appParams: cluster.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out,
        durationMs: 4_000,
      }),
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
      cluster.dataDir,
    ]);
    expect(await cmd.exited).toBe(0);
    expect(cmd.lines.join('\n')).toMatch(/"type": "success"/);

    // /metrics parses as Prometheus text and its counters moved with this traffic.
    const after = await metricsOf(cluster.nodeA.url);
    const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(after.get('xp2p_cameras_online')).toBe(1);
    expect(delta('xp2p_connections_total{kind="device"}')).toBeGreaterThanOrEqual(1);
    expect(delta('xp2p_connections_total{kind="viewer"}')).toBeGreaterThanOrEqual(1);
    expect(delta('xp2p_sessions_total')).toBeGreaterThanOrEqual(1);
    expect(delta('xp2p_signal_offer_answer_seconds_count')).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
