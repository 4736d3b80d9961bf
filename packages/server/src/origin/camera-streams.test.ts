/**
 * A full camera's 1vN stream on the server: only its camera publishes it, nobody lists it, and it ends
 * (the camera's upload is answered) once nobody watches it.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import {
  cameraPublishKey,
  CAMERA_DEVICE_HEADER,
  encodeFlvHeader,
  encodeFlvTag,
  newCameraStream,
  PUBLISH_KEY_HEADER,
  streamPublishKey,
} from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientPool,
  fixture,
  loopedFixtureTags,
  peerUrl,
  startTestServer,
  TestClient,
  type TestServer,
} from '@xp2p/testing/server';
import { parsePrometheusText, waitUntil } from '@xp2p/testing';

let t: TestServer | undefined;
const open: ClientRequest[] = [];
const pool = new ClientPool();
afterEach(async () => {
  await pool.closeAll();
  for (const req of open.splice(0)) req.destroy();
  await t?.server.close();
  t = undefined;
});

const device = (cam: { productId: string; deviceName: string }): string => `${cam.productId}/${cam.deviceName}`;

/** A publish of the fixture (looped, unpaced) to /live/NAME with these headers; resolves with the answer. */
function publish(name: string, headers: Record<string, string>, query = ''): Promise<IncomingMessage> {
  const url = new URL(`/live/${name}${query}`, t!.server.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'video/x-flv', ...headers } }, resolve);
    open.push(req);
    req.on('error', reject);
    req.write(encodeFlvHeader(fixture.header));
    for (const tag of loopedFixtureTags(4)) req.write(encodeFlvTag(tag));
    // the body stays open, as a camera's live upload does
  });
}

const live = (name: string): boolean => t!.server.origin.stream(name)?.live === true;
const metric = async (name: string): Promise<number | undefined> =>
  parsePrometheusText(await (await fetch(`${t!.server.url}/metrics`)).text()).get(name);

describe('camera 1vN streams on the server', () => {
  it('its camera publishes it with its credential; it is never listed', async () => {
    t = await startTestServer();
    const { name, key } = await newCameraStream(t.cam1.secret, device(t.cam1));
    // cut by afterEach: its end is not this test's business
    publish(name, { [CAMERA_DEVICE_HEADER]: device(t.cam1), [PUBLISH_KEY_HEADER]: key }).catch(() => {});
    await waitUntil(() => (t!.server.origin.stream(name)?.chunkCount ?? 0) > 0, { timeoutMs: 5_000 });
    expect(live(name)).toBe(true);
    expect((await fetch(`${t.server.url}/live/${name}/manifest.json`)).status).toBe(200);
    const listed = (await (await fetch(`${t.server.url}/api/streams`)).json()) as { streams: { stream: string }[] };
    expect(listed.streams.map((s) => s.stream)).not.toContain(name);
    expect(await (await fetch(`${t.server.url}/`)).text()).not.toContain(name.slice(0, 12));
    expect(await metric('xp2p_camera_streams')).toBe(1);
    expect(await metric('xp2p_camera_streams_total')).toBe(1);
  });

  it("is joined only by its camera's app: another app's tracker join is told the stream is not live", async () => {
    t = await startTestServer(); // cam1 belongs to t.app
    const { name, key } = await newCameraStream(t.cam1.secret, device(t.cam1));
    publish(name, { [CAMERA_DEVICE_HEADER]: device(t.cam1), [PUBLISH_KEY_HEADER]: key }).catch(() => {});
    await waitUntil(() => (t!.server.origin.stream(name)?.chunkCount ?? 0) > 0, { timeoutMs: 5_000 });
    const firstAnswer = async (
      app: NonNullable<typeof t>['app'],
    ): Promise<{ type: string; status?: number; message?: string }> => {
      const client = pool.add(new TestClient(await peerUrl(t!, app)));
      await client.opened;
      client.send({ type: 'join', v: 1, stream: name, upload: false });
      for (;;) {
        const m = (await client.next()) as { type: string; status?: number; message?: string };
        if (m.type !== 'origin' && m.type !== 'peers') return m;
      }
    };
    expect(await firstAnswer(t.otherApp)).toEqual({
      type: 'error',
      status: 404,
      message: `stream ${name} is not live`,
    });
    expect((await firstAnswer(t.app)).type).toBe('joined');
  });

  it('refuses everyone but its camera: no credential, a viewer, another device, the master key', async () => {
    t = await startTestServer();
    const cam1 = device(t.cam1);
    const cam2 = device(t.cam2);
    const { name, key } = await newCameraStream(t.cam1.secret, cam1);
    const attempts: [string, Record<string, string>, string?][] = [
      ['no credential', {}],
      ['a viewer who knows the name, and guesses', { [CAMERA_DEVICE_HEADER]: cam1, [PUBLISH_KEY_HEADER]: name }],
      [
        'another device, signing with its own secret',
        { [CAMERA_DEVICE_HEADER]: cam2, [PUBLISH_KEY_HEADER]: await cameraPublishKey(t.cam2.secret, cam2, name) },
      ],
      [
        'another device, with the camera key under its own name',
        { [CAMERA_DEVICE_HEADER]: cam2, [PUBLISH_KEY_HEADER]: key },
      ],
      [
        'the master-derived publish key',
        { [PUBLISH_KEY_HEADER]: await streamPublishKey(t.config.publishKey, name) },
        `?key=${await streamPublishKey(t.config.publishKey, name)}`,
      ],
      ['an unknown device', { [CAMERA_DEVICE_HEADER]: 'demo/nobody', [PUBLISH_KEY_HEADER]: key }],
    ];
    for (const [who, headers, query] of attempts) {
      const res = await publish(name, headers, query);
      expect(res.statusCode, who).toBe(403);
      expect(live(name), who).toBe(false);
    }
    // a name no camera made (another device's own name with cam1's claim) is refused too
    const other = await newCameraStream(t.cam2.secret, cam2);
    const forged = await publish(other.name, {
      [CAMERA_DEVICE_HEADER]: cam1,
      [PUBLISH_KEY_HEADER]: await cameraPublishKey(t.cam1.secret, cam1, other.name),
    });
    expect(forged.statusCode).toBe(403);
    expect(await metric('xp2p_camera_streams_total')).toBe(0);
  });

  it('ends the publish once nobody watches it, not while someone does', async () => {
    t = await startTestServer({ tuning: { cameraStreamIdleMs: 600 } });
    const cam1 = device(t.cam1);
    const { name, key } = await newCameraStream(t.cam1.secret, cam1);
    const answered = publish(name, { [CAMERA_DEVICE_HEADER]: cam1, [PUBLISH_KEY_HEADER]: key });
    await waitUntil(() => (t!.server.origin.stream(name)?.chunkCount ?? 0) > 0, { timeoutMs: 5_000 });
    // an HTTP-FLV viewer for twice the idle time: the publish goes on
    const viewer = new AbortController();
    const flv = await fetch(`${t.server.url}/live/${name}.flv`, { signal: viewer.signal });
    expect(flv.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(live(name)).toBe(true);
    viewer.abort();
    const res = await answered;
    expect(res.statusCode).toBe(200);
    expect(live(name)).toBe(false);
    expect(await metric('xp2p_camera_streams')).toBe(0);
  });
});
