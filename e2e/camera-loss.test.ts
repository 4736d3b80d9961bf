/** A camera that dies mid-stream: the viewer hears `disconnect` fast, nothing hangs, and it comes back. */
import { fetchXp2pInfo } from '@xp2p/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, stopAll, VIEWER, viewerEvents } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
});

const viewerArgs = (durationMs: number) =>
  JSON.stringify({
    server: sys.serverUrl,
    appParams: sys.appParams,
    productId: 'demo',
    deviceName: 'cam1',
    durationMs,
  });

describe('camera lost mid-stream', () => {
  it('gives the viewer disconnect within 5 s, then a restarted camera serves a new startP2PService', async () => {
    const camera = await sys.startDevice();
    const { xp2pInfo } = await fetchXp2pInfo(
      { ...sys.appParams, serverUrl: sys.serverUrl },
      { productId: 'demo', deviceName: 'cam1' },
    );
    const viewer = start([VIEWER, viewerArgs(60_000)]);
    // mid-stream: the service started (result 0) and bytes flow. A relay-first start's first bytes can come
    // before P2P is open; a camera killed then fails the start itself with -2402 "offline", not a disconnect
    await viewer.waitForLine(/"result":0/, 20_000);
    await viewer.waitForLine(/firstByteMs/, 20_000);
    const killedAt = Date.now();
    await camera.kill('SIGKILL');
    await viewer.waitForLine(/"notify":"disconnect"/, 5_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(viewerEvents(viewer).some((e) => 'unhandledRejection' in e)).toBe(false);
    await viewer.kill();

    // with the camera gone, a new start is refused at once (the server knows it is offline), no hang
    const late = start([
      VIEWER,
      JSON.stringify({
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        xp2pInfo,
        durationMs: 1000,
      }),
    ]);
    await late.waitForLine(/"done":true/, 10_000);
    const refused = viewerEvents(late).find((e) => 'result' in e);
    expect(refused?.result, JSON.stringify(refused)).toBe(-2402);
    expect(String(refused?.lastError)).toMatch(/offline/);
    expect((refused?.t as number) ?? 1e9).toBeLessThan(3000);

    await sys.startDevice();
    const again = start([VIEWER, viewerArgs(2_000)]);
    await again.waitForLine(/"done":true/, 20_000);
    const events = viewerEvents(again);
    expect(events.find((e) => 'result' in e)?.result).toBe(0);
    expect(events.find((e) => 'done' in e)?.bytes).toBeGreaterThan(10_000);
  });
});
