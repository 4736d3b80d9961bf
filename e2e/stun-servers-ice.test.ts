/**
 * `init({ stunServers })` (and `appParams.stunServers`) reach ICE, not only the NAT probe: every peer
 * connection the sdk makes for a 1v1 session lists them next to the server's own STUN service.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createP2PModule, fetchXp2pInfo, nodePlatform } from '@xp2p/sdk/node';
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

it('STUN servers given to init are in the ICE servers of the peer connections', async () => {
  const app = { ...sys.appParams, serverUrl: sys.serverUrl };
  const device = { productId: 'demo', deviceName: 'cam1' };
  const platform = nodePlatform({ bindAddress: '127.0.0.1' });
  const configs: RTCConfiguration[] = [];
  const Base = platform.RTCPeerConnection;
  platform.RTCPeerConnection = class extends Base {
    constructor(config: RTCConfiguration & Record<string, unknown>) {
      configs.push(config);
      super(config);
    }
  };
  const p2p = createP2PModule(platform);
  try {
    const extra = ['stun:127.0.0.1:3479', 'stun:localhost:19302'];
    expect(await p2p.init({ appParams: app, probe: 'off', stunServers: extra })).toBe(0);
    const { xp2pInfo } = await fetchXp2pInfo(app, device);
    const code = await p2p.startP2PService(
      'stun',
      { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live', ...device, xp2pInfo },
      { msgCallback: () => {} },
    );
    expect(code, p2p.lastError('stun') ?? '').toBe(0);
    expect(configs.length).toBeGreaterThan(0);
    for (const config of configs) {
      const urls = (config.iceServers ?? []).flatMap((s) => [s.urls].flat());
      expect(urls).toEqual(expect.arrayContaining([...extra, expect.stringMatching(/^stun:127\.0\.0\.1:\d+$/)]));
    }
  } finally {
    p2p.destroy();
  }
}, 60_000);
