/**
 * Two `xp2p server --redis` processes sharing one real redis-server: a camera logged in to node A is
 * reachable through node B (live view decodes, a command round-trips), presence and /metrics reflect it,
 * and Redis going away makes both nodes not-ready without any exit, until it comes back.
 */
import { join } from 'node:path';
import { appSignatureHeaders, signAppRequest } from '@xp2p/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, trimToWholeTags } from '@xp2p/testing';
import { CLI, start, VIEWER, viewerEvents } from '../helpers/processes.js';
import { metricsOf, readyz, useTwoNodeCluster } from './nodes.js';

const cluster = useTwoNodeCluster('xp2p-cluster-');

beforeAll(async () => {
  const device = start([CLI, 'device', '--server', cluster.nodeA.url, '--data', cluster.dataDir]);
  await device.waitForLine(/^device: .* online/);
}, 60_000);

describe('two server nodes on Redis', () => {
  it('a viewer on node B watches the camera on node A: the stream decodes', async () => {
    await expect.poll(() => readyz(cluster.nodeB.url)).toBe(200);
    const out = join(cluster.dataDir, 'viewer-b.flv');
    const viewer = start([
      VIEWER,
      JSON.stringify({
        server: cluster.nodeB.url,
        appParams: cluster.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out,
        durationMs: 5_000,
      }),
    ]);
    await viewer.waitForLine(/"done":true/, 40_000);
    const events = viewerEvents(viewer);
    expect(events.find((e) => 'result' in e)?.result).toBe(0);
    expect(events.some((e) => 'unhandledRejection' in e)).toBe(false);
    // its relay-first start crossed the nodes too (binary relay frames, base64 on the bus), then moved to P2P
    const handOver = events.find((e) => e.sdkEvent === 'startRelayHandedOver');
    expect(handOver).toMatchObject({ spliced: false });
    expect(handOver?.frames).toBeGreaterThan(0);
    const bytes = trimToWholeTags(out);
    expect(bytes.byteLength).toBeGreaterThan(50_000);
    expect(await decodeErrors(out)).toBe('');
    // The session crossed nodes: B sent signalling to A and A answered.
    const b = await metricsOf(cluster.nodeB.url);
    expect(b.get('xp2p_cluster_messages_total{direction="out"}')).toBeGreaterThan(0);
    expect(b.get('xp2p_cluster_messages_total{direction="in"}')).toBeGreaterThan(0);
    expect(b.get('xp2p_signal_offer_answer_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(b.get('xp2p_sessions_total')).toBeGreaterThanOrEqual(1);
    expect(b.get('xp2p_cameras_online')).toBe(0);
    expect((await metricsOf(cluster.nodeA.url)).get('xp2p_cameras_online')).toBe(1);
  });

  it('a command sent through node B round-trips to the camera on node A', async () => {
    const cmd = start([
      CLI,
      'cmd',
      'demo/cam1',
      'action=inner_define&channel=0&cmd=get_device_st&type=live',
      '--server',
      cluster.nodeB.url,
      '--data',
      cluster.dataDir,
    ]);
    expect(await cmd.exited).toBe(0);
    expect(cmd.lines.join('\n')).toMatch(/"type": "success"/);
  });

  it('a signed request replayed against the other node is refused (cluster-wide nonce cache)', async () => {
    const path = '/api/xp2pinfo';
    const body = JSON.stringify({ productId: 'demo', deviceName: 'cam1' });
    // signed for node A; node B has the same host name (the port is not signed), so only the nonce stops it
    const sig = await signAppRequest(cluster.appParams, 'POST', `${cluster.nodeA.url}${path}`, body);
    const send = (url: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...appSignatureHeaders(sig) },
        body,
      });
    expect((await send(cluster.nodeA.url)).status).toBe(200);
    const replayed = await send(cluster.nodeB.url);
    expect(replayed.status).toBe(401);
    expect(JSON.stringify(await replayed.json())).toMatch(/nonce already used/);
    // a fresh signature still works on B
    const again = await signAppRequest(cluster.appParams, 'POST', `${cluster.nodeB.url}${path}`, body);
    const fresh = await fetch(`${cluster.nodeB.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...appSignatureHeaders(again) },
      body,
    });
    expect(fresh.status).toBe(200);
  });

  it('Redis down: both nodes report not-ready and keep running; Redis back: ready again', async () => {
    await cluster.redis.stop();
    await expect.poll(() => readyz(cluster.nodeA.url), { timeout: 10_000 }).toBe(503);
    await expect.poll(() => readyz(cluster.nodeB.url), { timeout: 10_000 }).toBe(503);
    // Still serving what it holds locally.
    expect((await fetch(`${cluster.nodeA.url}/healthz`)).status).toBe(200);
    expect((await metricsOf(cluster.nodeA.url)).get('xp2p_cluster_ready')).toBe(0);
    // Stream figures: what the node holds, marked partial, rather than an error.
    const list = await fetch(`${cluster.nodeA.url}/api/streams`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { partial?: boolean }).partial).toBe(true);
    await cluster.redis.restart();
    await expect.poll(() => readyz(cluster.nodeA.url), { timeout: 15_000 }).toBe(200);
    await expect.poll(() => readyz(cluster.nodeB.url), { timeout: 15_000 }).toBe(200);
    expect(cluster.nodeA.proc.proc.exitCode).toBeNull();
    expect(cluster.nodeB.proc.proc.exitCode).toBeNull();
    // The camera's presence was written again: node B can reach it once more.
    const cmd = start([
      CLI,
      'cmd',
      'demo/cam1',
      'action=inner_define&channel=0&cmd=get_device_st&type=live',
      '--server',
      cluster.nodeB.url,
      '--data',
      cluster.dataDir,
    ]);
    expect(await cmd.exited).toBe(0);
  });

  it('SIGTERM drains node B within the bound and exits 0', async () => {
    const t0 = Date.now();
    await cluster.nodeB.proc.kill('SIGTERM');
    expect(await cluster.nodeB.proc.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(cluster.nodeB.proc.lines.some((l) => /SIGTERM: draining/.test(l))).toBe(true);
    expect(cluster.nodeB.proc.lines.some((l) => /xp2p server stopped/.test(l))).toBe(true);
  });
});
