/**
 * Viewers feed the server's TTFF histogram and byte counter with `report` messages on their own sessions.
 * One viewer could report a TTFF a hundred times a second, or 2^50 bytes a message, and own the figures an
 * operator reads. Per session: one TTFF, and bytes no faster than a link could carry them.
 */
import { signViewerToken } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_DEFAULTS } from '../defaults.js';
import {
  ClientPool,
  connectDevice,
  connectViewer,
  sessionId,
  startTestServer,
  type TestServer,
} from '@xp2p/testing/server';
import { parsePrometheusText } from '@xp2p/testing';

let t: TestServer | undefined;
const pool = new ClientPool();
afterEach(async () => {
  await pool.closeAll();
  await t?.server.close();
  t = undefined;
});

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n';

describe('viewer reports', () => {
  it('count a few TTFFs per session and bytes no faster than maxReportedBytesPerSecond', async () => {
    t = await startTestServer();
    const device = (await connectDevice(t, pool, t.cam1)).client;
    const viewer = (await connectViewer(t, pool)).client;
    const id = sessionId();
    const token = await signViewerToken(t.cam1.secret, {
      appid: t.app.appid,
      productId: t.cam1.productId,
      deviceName: t.cam1.deviceName,
      user: 'app',
      role: 'owner',
    });
    viewer.send({ type: 'offer', sessionId: id, token, sdp: SDP });
    await device.next();
    const started = Date.now();
    for (let i = 0; i < 100; i++)
      viewer.send({ type: 'report', sessionId: id, path: 'host', ttffMs: 1, bytes: 2 ** 50 });
    const metrics = async () => parsePrometheusText(await (await fetch(`${t!.server.url}/metrics`)).text());
    await new Promise((r) => setTimeout(r, 300));
    const m = await metrics();
    const elapsedS = (Date.now() - started) / 1000 + 1;
    expect(m.get('xp2p_viewer_ttff_seconds_count{path="host"}')).toBe(SERVER_DEFAULTS.maxTtffReportsPerSession);
    expect(m.get('xp2p_viewer_bytes_total{path="host"}') ?? 0).toBeLessThanOrEqual(
      SERVER_DEFAULTS.maxReportedBytesPerSecond * (elapsedS + SERVER_DEFAULTS.reportBurstSeconds),
    );
  });
});
