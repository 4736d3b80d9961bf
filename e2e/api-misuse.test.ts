/** Every misuse in the guide's tables gets its code (the reference plugin's numbers). */
import { decodeXp2pInfo, encodeXp2pInfo } from '@xp2p/protocol';
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeaks, snapshotResources, type ResourceSnapshot } from '@xp2p/testing';
import { stopAll } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
let xp2pInfo: string;
let baseline: ResourceSnapshot;
const url = 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0&quality=high';
const noop = () => {};

beforeAll(async () => {
  sys = await startSystem();
  await sys.startDevice();
  xp2pInfo = (
    await fetchXp2pInfo({ ...sys.appParams, serverUrl: sys.serverUrl }, { productId: 'demo', deviceName: 'cam1' })
  ).xp2pInfo;
  baseline = snapshotResources();
});
afterAll(async () => {
  // every module was destroyed by its test: nothing it opened may be left
  await expectNoLeaks(baseline);
  cleanupNodeWebRTC();
  await stopAll();
  sys?.cleanup();
});

describe('API misuse returns the guide codes', () => {
  it('before init: -2002; bad init params: -2000; double init: -2003; after destroy: -2002', async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    expect(
      await p2p.startP2PService('a', { url, productId: 'demo', deviceName: 'cam1', xp2pInfo }, { msgCallback: noop }),
    ).toBe(-2002);
    expect(await p2p.startP2PStream('a', { dataCallback: noop })).toBe(-2002);
    expect(await p2p.resetP2P()).toBe(-2002);
    expect(await p2p.init({ appParams: { appid: '', appKey: 'k', appSecretKey: 's' } })).toBe(-2000);
    expect(await p2p.init(undefined as never)).toBe(-2000);
    const appParams = { ...sys.appParams, serverUrl: sys.serverUrl };
    expect(await p2p.init({ appParams })).toBe(0);
    expect(p2p.getUUID()).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(await p2p.init({ appParams })).toBe(-2003);
    p2p.destroy();
    expect(
      await p2p.startP2PService('a', { url, productId: 'demo', deviceName: 'cam1', xp2pInfo }, { msgCallback: noop }),
    ).toBe(-2002);
  });

  it('bad parameters, bad xp2pInfo, old device, duplicate id, service not started', async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    expect(await p2p.init({ appParams: { ...sys.appParams, serverUrl: sys.serverUrl } })).toBe(0);
    const info = { url, productId: 'demo', deviceName: 'cam1', xp2pInfo };
    expect(await p2p.startP2PService('', info, { msgCallback: noop })).toBe(-2000);
    expect(await p2p.startP2PService('a', info, {} as never)).toBe(-2000);
    expect(await p2p.startP2PService('a', { ...info, productId: '' }, { msgCallback: noop })).toBe(-2000);
    expect(await p2p.startP2PService('a', { ...info, xp2pInfo: 'garbage' }, { msgCallback: noop })).toBe(-2001);
    expect(await p2p.startP2PService('a', { ...info, deviceName: 'cam9' }, { msgCallback: noop })).toBe(-2001);
    const old = encodeXp2pInfo({ ...decodeXp2pInfo(xp2pInfo), deviceVersion: '2.2.0' });
    expect(await p2p.startP2PService('a', { ...info, xp2pInfo: old }, { msgCallback: noop })).toBe(-2005);
    expect(await p2p.startP2PStream('nope', { dataCallback: noop })).toBe(-2403);
    expect(p2p.updateServiceCallbacks('nope', { msgCallback: noop })).toBe(-2403);

    const events: string[] = [];
    expect(await p2p.startP2PService('a', info, { msgCallback: (_e, s) => events.push(s) })).toBe(0);
    expect(events).toContain('connected');
    expect(await p2p.startP2PService('a', info, { msgCallback: noop })).toBe(-2401);
    expect(p2p.updateServiceCallbacks('a', { msgCallback: 42 as never })).toBe(-2000);
    expect(p2p.updateServiceCallbacks('a', { msgCallback: (_e, s) => events.push(s) })).toBe(0);
    expect(await p2p.startP2PStream('a', { dataCallback: 'no' as never })).toBe(-2000);
    let bytes = 0;
    expect(await p2p.startP2PStream('a', { dataCallback: (d) => (bytes += d.byteLength) })).toBe(0);
    expect(await p2p.startP2PStream('a', { dataCallback: noop })).toBe(-2401);
    await expect.poll(() => bytes, { timeout: 5000 }).toBeGreaterThan(1000);
    p2p.stopP2PStream('a');
    expect(events).toContain('close');
    // the pre-connected service takes a new stream with a custom flv request
    expect(
      await p2p.startP2PStream('a', {
        dataCallback: noop,
        flv: { filename: 'ipc.flv', params: 'action=live&channel=0' },
      }),
    ).toBe(0);
    p2p.stopServiceById('a');
    expect(await p2p.startP2PStream('a', { dataCallback: noop })).toBe(-2403);
    p2p.destroy();
  });

  it('a request the camera does not know gets parsed 404 and -2402', async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    await p2p.init({ appParams: { ...sys.appParams, serverUrl: sys.serverUrl } });
    const statuses: number[] = [];
    const code = await p2p.startP2PService(
      'x',
      {
        url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=nonsense',
        productId: 'demo',
        deviceName: 'cam1',
        xp2pInfo,
      },
      {
        msgCallback: (_e, s, d) => s === 'parsed' && statuses.push((d as { status: number }).status),
        dataCallback: noop,
      },
    );
    expect(code).toBe(-2402);
    expect(statuses, p2p.lastError('x')).toEqual([404]);
    p2p.destroy();
  });

  it('an xp2pInfo whose token names another camera is refused before anything is sent (-2001)', async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    await p2p.init({ appParams: { ...sys.appParams, serverUrl: sys.serverUrl } });
    const info = decodeXp2pInfo(xp2pInfo);
    const ghost = encodeXp2pInfo({ ...info, payload: { ...info.payload, deviceName: 'ghost' } });
    expect(
      await p2p.startP2PService(
        'g',
        { url, productId: 'demo', deviceName: 'ghost', xp2pInfo: ghost },
        { msgCallback: noop },
      ),
    ).toBe(-2001);
    p2p.destroy();
  });
});
