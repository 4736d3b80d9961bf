/**
 * Only a viewer holding a valid token for this app and this camera gets through; everyone else is refused
 * with a clear code, and the camera never sees their offer.
 */
import { encodeXp2pInfo, decodeXp2pInfo, signViewerToken, signAppRequest } from '@xp2p/protocol';
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeaks, snapshotResources, waitUntil, type ResourceSnapshot } from '@xp2p/testing';
import { stopAll, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
let device: RunningProcess;
let realInfo: string;
let baseline: ResourceSnapshot;
const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });

beforeAll(async () => {
  sys = await startSystem();
  device = await sys.startDevice();
  realInfo = (
    await fetchXp2pInfo({ ...sys.appParams, serverUrl: sys.serverUrl }, { productId: 'demo', deviceName: 'cam1' })
  ).xp2pInfo;
  baseline = snapshotResources();
  await p2p.init({ appParams: { ...sys.appParams, serverUrl: sys.serverUrl } });
});
afterAll(async () => {
  p2p.destroy();
  await expectNoLeaks(baseline);
  cleanupNodeWebRTC();
  await stopAll();
  sys?.cleanup();
});

const secretOf = (name: string) => sys.config.devices.find((d) => d.deviceName === name)!.secret;
const withToken = (token: string) => {
  const info = decodeXp2pInfo(realInfo);
  return encodeXp2pInfo({ ...info, payload: { ...info.payload, token } });
};
const sessionsSeenByCamera = () => device.lines.filter((l) => /session \S+ from app/.test(l)).length;

async function tryWith(xp2pInfo: string, id: string) {
  const logs: string[] = [];
  const code = await p2p.startP2PService(
    id,
    {
      url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0',
      productId: 'demo',
      deviceName: 'cam1',
      xp2pInfo,
    },
    { msgCallback: (event, _s, detail) => event === 'log' && logs.push(String(detail)) },
  );
  return { code, why: p2p.lastError(id) ?? '', logs };
}

describe('viewer tokens', () => {
  it('lets the real token through', async () => {
    const r = await tryWith(realInfo, 'ok');
    expect(r.code).toBe(0);
    p2p.stopP2PService('ok');
    // one session, or two when the connect watchdog raced a second attempt on a loaded machine
    expect(sessionsSeenByCamera()).toBeGreaterThanOrEqual(1);
  });

  it("refuses a forged, another device's and another app's token; the camera sees none", async () => {
    const before = sessionsSeenByCamera();
    const real = decodeXp2pInfo(realInfo).payload.token;
    const [body, mac] = real.split('.');
    const forged = `${body}.${mac!.startsWith('A') ? 'B' : 'A'}${mac!.slice(1)}`;
    const expired = await signViewerToken(
      secretOf('cam1'),
      { appid: sys.appParams.appid, productId: 'demo', deviceName: 'cam1', user: 'app', role: 'owner' },
      { ttlSeconds: 60, now: Date.now() - 3_600_000 },
    );
    const otherDeviceKey = await signViewerToken('not-this-devices-secret-123', {
      appid: sys.appParams.appid,
      productId: 'demo',
      deviceName: 'cam1',
      user: 'app',
      role: 'owner',
    });
    const otherApp = await signViewerToken(secretOf('cam1'), {
      appid: 'app-someone-else',
      productId: 'demo',
      deviceName: 'cam1',
      user: 'app',
      role: 'owner',
    });
    const cases: [string, string, RegExp][] = [
      ['forged', forged, /40[13]/],
      ['signed for another device', otherDeviceKey, /401/],
      ['issued to another app', otherApp, /401/],
    ];
    for (const [name, token, status] of cases) {
      const r = await tryWith(withToken(token), `bad-${name}`);
      expect(r.code, name).toBe(-2402);
      expect(r.why, name).toMatch(status);
    }
    expect(sessionsSeenByCamera()).toBe(before);
    // an expired token: the server refuses an offer carrying it (403), the camera sees nothing ...
    expect(await rawOfferStatus(expired)).toBe(403);
    expect(sessionsSeenByCamera()).toBe(before);
    // ... and the sdk, holding the app's credentials, renews an expired cached xp2pInfo before connecting
    expect((await tryWith(withToken(expired), 'cached-expired')).code).toBe(0);
    p2p.stopP2PService('cached-expired');
  });

  it('refuses an xp2pInfo with no token before anything is sent (-2001)', async () => {
    const info = decodeXp2pInfo(realInfo);
    const noToken = `XP2P${btoa(JSON.stringify({ ...info.payload, token: undefined }))}%2.4.50`;
    expect((await tryWith(noToken, 'no-token')).code).toBe(-2001);
  });

  it('refuses a raw offer without a token at the server', async () => {
    const before = sessionsSeenByCamera();
    expect(await rawOfferStatus(undefined)).toBe(400);
    expect(sessionsSeenByCamera()).toBe(before);
  });
});

/** An offer sent straight over the viewer signalling socket (no sdk): the status of the server's error answer. */
async function rawOfferStatus(token: string | undefined): Promise<number | undefined> {
  const sig = await signAppRequest(sys.appParams, 'GET', `${sys.serverUrl}/signal/viewer`);
  const q = new URLSearchParams({
    appKey: sig.appKey,
    timestamp: String(sig.timestamp),
    nonce: sig.nonce,
    signature: sig.signature,
  });
  const ws = new WebSocket(`${sys.serverUrl.replace('http', 'ws')}/signal/viewer?${q}`);
  const messages: { type: string; status?: number }[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'offer', sessionId: 'abcdefgh1234', sdp: 'v=0', ...(token ? { token } : {}) }));
  await waitUntil(() => messages.some((m) => m.type === 'error'), { timeoutMs: 5_000 });
  ws.close();
  return messages.find((m) => m.type === 'error')?.status;
}
