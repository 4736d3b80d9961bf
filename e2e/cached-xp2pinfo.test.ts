/**
 * An app that caches an xp2pInfo (the guide allows it) still connects after its token expired: the first
 * connect renews the token the way reconnects do (the app's own signed xp2pInfo request), instead of the
 * camera refusing it (-2402). Here the token lives 2 s and the xp2pInfo is 5 s old when it is used.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeXp2pInfo, encodeXp2pInfo, signViewerToken } from '@xp2p/protocol';
import { createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import { stopAll } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem();
  await sys.startDevice();
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
});

it('a first connect with a 5 s old xp2pInfo whose token lived 2 s renews the token and plays', async () => {
  const app = { ...sys.appParams, serverUrl: sys.serverUrl };
  const device = { productId: 'demo', deviceName: 'cam1' };
  // the xp2pInfo the server issued, with a token signed as the server signs it but living only 2 s
  const issued = decodeXp2pInfo((await fetchXp2pInfo(app, device)).xp2pInfo);
  const secret = sys.config.devices.find((d) => d.deviceName === 'cam1')!.secret;
  const token = await signViewerToken(
    secret,
    { appid: app.appid, ...device, user: 'app', role: 'owner' },
    { ttlSeconds: 2 },
  );
  const cached = encodeXp2pInfo({ ...issued, payload: { ...issued.payload, token } });
  await new Promise((r) => setTimeout(r, 5_000));

  const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
  try {
    expect(await p2p.init({ appParams: app, probe: 'off' })).toBe(0);
    let bytes = 0;
    const code = await p2p.startP2PService(
      'cached',
      { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live', ...device, xp2pInfo: cached },
      { msgCallback: () => {}, dataCallback: (data) => (bytes += data.byteLength) },
    );
    expect(code, p2p.lastError('cached') ?? '').toBe(0);
    await expect.poll(() => bytes, { timeout: 10_000 }).toBeGreaterThan(10_000);
  } finally {
    p2p.destroy();
  }
}, 60_000);
