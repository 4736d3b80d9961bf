/**
 * A full camera and its 1vN stream, on the camera's side: only a viewer that asks (`xp2p_1vn=1`) on its
 * admitted session sets off a publish; everyone else gets the plain 503; a publish that cannot reach the
 * origin ends in a 503 saying so and leaves nothing running. (The whole path with a real server:
 * e2e/camera-full-1vn.test.ts.)
 */
import { ONE_TO_MANY_HEADER } from '@xp2p/protocol';
import { ask, request } from '@xp2p/testing/device';
import { freePort } from '@xp2p/testing';
import { describe, expect, it } from 'vitest';
import { LiveHandler } from '../live-handler.js';
import { LiveHub } from '../media/live-hub.js';
import { createRouter } from '../router.js';
import { CameraPublishes } from './camera-publishes.js';

async function fullCamera() {
  const publishes = new CameraPublishes({
    device: 'demo/cam1',
    secret: 'secret-of-cam1-0123456789',
    // an origin that is not there: nothing listens on this port
    serverUrl: () => `http://127.0.0.1:${port}`,
    trust: {},
    liveWaitMs: 500,
    livePollMs: 50,
    maxPublishes: 2,
    log: () => {},
  });
  const port = await freePort();
  const hub = new LiveHub();
  const live = new LiveHandler(hub, 1, publishes);
  const router = createRouter({ live, channels: 1 });
  const first = request(router, 'ipc.flv', 'action=live&channel=0');
  expect(first.status).toBe(200);
  return { router, publishes, live, hub, first };
}

describe('a full camera', () => {
  it('gives a viewer that did not ask for 1vN the plain 503, and publishes nothing', async () => {
    const { router, publishes, first } = await fullCamera();
    const res = await ask(router, 'ipc.flv', 'action=live&channel=0');
    expect(res.status).toBe(503);
    expect(res.headers[ONE_TO_MANY_HEADER]).toBeUndefined();
    expect(publishes.started).toBe(0);
    first.closeByViewer();
  });

  it('ends in a 503 saying why when its 1vN stream cannot start, and leaves no publish behind', async () => {
    const { router, publishes, live, first } = await fullCamera();
    const res = await ask(router, 'ipc.flv', 'action=live&channel=0&xp2p_1vn=1');
    expect(res.status).toBe(503);
    expect(res.headers[ONE_TO_MANY_HEADER]).toBeUndefined();
    expect(res.headers['x-reason']).toMatch(/too many viewers.*1vN stream could not start/);
    expect(publishes.started).toBe(1);
    expect(live.oneToManyPublishes).toBe(0);
    first.closeByViewer();
  });

  it('with 1vN off (no publisher) answers the plain 503 even to a viewer that asks', async () => {
    const live = new LiveHandler(new LiveHub(), 1);
    const router = createRouter({ live, channels: 1 });
    const first = request(router, 'ipc.flv', 'action=live&channel=0');
    const res = await ask(router, 'ipc.flv', 'action=live&channel=0&xp2p_1vn=1');
    expect(res.status).toBe(503);
    expect(res.headers[ONE_TO_MANY_HEADER]).toBeUndefined();
    first.closeByViewer();
  });
});
