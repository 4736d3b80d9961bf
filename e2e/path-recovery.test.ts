/**
 * Path recovery on loopback (the NAT lab, e2e/nat/path-faults.test.ts, breaks real NAT mappings; this
 * runs without root): the camera process freezes (SIGSTOP) for 3 s mid-stream, so the viewer hears nothing
 * and counts the path as broken; it reconnects on a fresh peer connection, and once the camera runs again
 * the live stream resumes in the same dataCallback as one FLV that decodes, without a new startP2PService.
 * A path that breaks the moment the connection opens (before any pong) is noticed as fast. A download
 * that such a reconnect cuts resumes by itself (inside the sdk, so apps and `xp2p download` get it) and
 * arrives byte-identical. The tests follow the sdk's typed events (`p2p.on('pathLost', ...)`, in the viewer
 * process as {sdkEvent} lines), not its log text.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeXp2pInfo, encodeXp2pInfo, signViewerToken } from '@xp2p/protocol';
import {
  createNodeP2PModule,
  createP2PModule,
  fetchXp2pInfo,
  nodePlatform,
  type P2PEventMap,
  type P2PModule,
} from '@xp2p/sdk/node';
import { decodeErrors, probePackets, trimToWholeTags } from '@xp2p/testing';
import { CLI, start, stopAll, VIEWER, viewerEvents } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
const work = mkdtempSync(join(tmpdir(), 'xp2p-recovery-'));
beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const CAM1 = { productId: 'demo', deviceName: 'cam1' };
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const appWithServer = () => ({ ...sys.appParams, serverUrl: sys.serverUrl });

/** The sdk's typed events of a module, in order, with when they came. */
function recordEvents(p2p: P2PModule) {
  const seen: { name: keyof P2PEventMap; at: number; detail: P2PEventMap[keyof P2PEventMap][0] }[] = [];
  const names = ['pathLost', 'reconnected', 'disconnected', 'downloadResumed', 'tokenRenewed', 'heartbeatUnanswered'];
  for (const name of names as (keyof P2PEventMap)[]) {
    p2p.on(name, (detail) => seen.push({ name, at: performance.now(), detail }));
  }
  return {
    seen,
    has: (name: keyof P2PEventMap) => seen.some((e) => e.name === name),
    first: (name: keyof P2PEventMap) => seen.find((e) => e.name === name),
  };
}

describe('1v1 path recovery', () => {
  it('a camera silent for 3 s: the viewer reconnects and the live stream continues as one FLV', async () => {
    const camera = await sys.startDevice();
    const out = join(work, 'recovered.flv');
    const viewer = start([
      VIEWER,
      JSON.stringify({
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out,
        durationMs: 12_000,
      }),
    ]);
    await viewer.waitForLine(/firstByteMs/, 20_000);
    await new Promise((r) => setTimeout(r, 2_000));
    camera.proc.kill('SIGSTOP');
    await viewer.waitForLine(/"sdkEvent":"pathLost"/, 5_000);
    await new Promise((r) => setTimeout(r, 1_000));
    camera.proc.kill('SIGCONT');
    const resumedAt = performance.now();
    await viewer.waitForLine(/"sdkEvent":"liveResumed"/, 10_000);
    const resumeMs = Math.round(performance.now() - resumedAt);
    await viewer.waitForLine(/"done":true/, 30_000);
    await viewer.exited;
    const events = viewerEvents(viewer);
    const stats = events.find((e) => 'stats' in e)?.stats as { recoveries: { ms: number }[] };
    expect(stats.recoveries.length, JSON.stringify(stats)).toBeGreaterThanOrEqual(1);
    expect(resumeMs, 'resumed soon after the camera runs again').toBeLessThan(5_000);
    expect(events.some((e) => e.notify === 'disconnect')).toBe(false);
    expect(events.filter((e) => 'result' in e)).toHaveLength(1);
    expect(events.some((e) => 'unhandledRejection' in e)).toBe(false);
    trimToWholeTags(out);
    expect(await decodeErrors(out)).toBe('');
    const dts = (await probePackets(out)).filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    for (let i = 1; i < dts.length; i++) expect(dts[i]!).toBeGreaterThanOrEqual(dts[i - 1]!);
    expect(dts.length).toBeGreaterThan(150);
    await camera.kill();
  }, 60_000);

  it('xp2p download whose session ended for good (camera frozen past the reconnect window) connects again and resumes', async () => {
    const store = join(work, 'store');
    mkdirSync(store, { recursive: true });
    const file = randomBytes(96 * 1024 * 1024);
    writeFileSync(join(store, 'big.bin'), file);
    const camera = await sys.startDevice(['--recordings', store]);
    const out = join(work, 'big.out');
    const download = start([
      CLI,
      'download',
      'demo/cam1',
      'big.bin',
      '-o',
      out,
      '--server',
      sys.serverUrl,
      '--data',
      sys.dataDir,
    ]);
    await expect
      .poll(() => (existsSync(out) ? statSync(out).size : 0), { timeout: 20_000, interval: 10 })
      .toBeGreaterThan(1024 * 1024);
    // longer than the heartbeat bound plus the sdk's 10 s reconnect window: the session ends for good
    camera.proc.kill('SIGSTOP');
    await download.waitForLine(/download interrupted .*; resuming/, 30_000);
    camera.proc.kill('SIGCONT');
    await download.waitForLine(/^saved /, 60_000);
    expect(
      download.lines.some((l) => /download interrupted .*; resuming/.test(l)),
      download.lines.join('\n'),
    ).toBe(true);
    expect(download.lines.some((l) => /^resuming .* at \d+ bytes/.test(l))).toBe(true);
    expect(sha256(readFileSync(out))).toBe(sha256(file));
    await camera.kill();
  }, 90_000);

  it('startLocalDownload cut by a reconnect resumes inside the sdk: one download, no onError, identical bytes', async () => {
    const store = join(work, 'store-sdk');
    mkdirSync(store, { recursive: true });
    const file = randomBytes(48 * 1024 * 1024);
    writeFileSync(join(store, 'clip.bin'), file);
    const camera = await sys.startDevice(['--recordings', store]);
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    try {
      expect(await p2p.init({ appParams: appWithServer(), probe: 'off' })).toBe(0);
      const { xp2pInfo } = await fetchXp2pInfo(appWithServer(), CAM1);
      const events = recordEvents(p2p);
      expect(
        await p2p.startP2PService(
          'dl',
          { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live', ...CAM1, xp2pInfo },
          { msgCallback: () => {}, dataCallback: () => {} },
        ),
      ).toBe(0);
      p2p.stopP2PStream('dl'); // only the session is needed
      const chunks: Buffer[] = [];
      let received = 0;
      const outcomes: string[] = [];
      const done = new Promise<void>((resolve) => {
        void p2p.startLocalDownload(
          'dl',
          { urlParams: 'channel=0&file_name=clip.bin' },
          {
            onReceiveChunk: (data) => {
              chunks.push(Buffer.from(data));
              received += data.byteLength;
            },
            onSuccess: () => outcomes.push('success'),
            onFailure: (res) => outcomes.push(`failure ${res?.errmsg}`),
            onError: (res) => outcomes.push(`error ${res?.errmsg}`),
            onComplete: () => resolve(),
          },
        );
      });
      await expect.poll(() => received, { timeout: 20_000, interval: 10 }).toBeGreaterThan(1024 * 1024);
      camera.proc.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 3_000));
      camera.proc.kill('SIGCONT');
      await done;
      expect(outcomes).toEqual(['success']);
      expect(events.has('pathLost')).toBe(true);
      const resumed = events.first('downloadResumed')?.detail as P2PEventMap['downloadResumed'][0] | undefined;
      expect(resumed?.offset, JSON.stringify(events.seen)).toBeGreaterThan(0);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(file));
    } finally {
      camera.proc.kill('SIGCONT');
      p2p.destroy();
      await camera.kill();
    }
  }, 90_000);

  it('a path that breaks the moment the connection opens, before any pong, is noticed within the heartbeat bound', async () => {
    const camera = await sys.startDevice();
    const app = appWithServer();
    const device = CAM1;
    const { xp2pInfo } = await fetchXp2pInfo(app, device);
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    try {
      expect(await p2p.init({ appParams: app, probe: 'off' })).toBe(0);
      const events = recordEvents(p2p);
      const code = await p2p.startP2PService(
        'early',
        { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live', ...device, xp2pInfo },
        { msgCallback: () => {} },
      );
      expect(code).toBe(0);
      // the connection is open; the camera freezes before it can answer a ping sent a heartbeat later
      camera.proc.kill('SIGSTOP');
      const frozenAt = performance.now();
      await expect.poll(() => events.first('pathLost'), { timeout: 6_000, interval: 50 }).toBeDefined();
      const noticedMs = events.first('pathLost')!.at - frozenAt;
      // pathLostAfterMs (2 s) after the first ping, plus one heartbeat; before, only ICE noticed (~13 s)
      expect(noticedMs).toBeLessThan(3_500);
      camera.proc.kill('SIGCONT');
      await expect.poll(() => events.has('reconnected'), { timeout: 10_000, interval: 50 }).toBe(true);
      expect(events.has('disconnected')).toBe(false);
      expect((await p2p.getServiceStats('early'))?.recoveries).toHaveLength(1);
      console.log(`path loss at open noticed after ${Math.round(noticedMs)} ms`);
    } finally {
      camera.proc.kill('SIGCONT');
      p2p.destroy();
      await camera.kill();
    }
  }, 60_000);

  it('a reconnect after the viewer token expired renews the token instead of ending in disconnect', async () => {
    const camera = await sys.startDevice();
    const app = appWithServer();
    const device = CAM1;
    // an xp2pInfo whose token expires in 8 s (the server's own last minutes), signed as the server signs it:
    // past SDK_DEFAULTS.tokenRenewMarginMs (5 s), so the first connect uses it as it is (a token closer to its
    // end is renewed before the first connect: e2e/cached-xp2pinfo.test.ts)
    const issued = decodeXp2pInfo((await fetchXp2pInfo(app, device)).xp2pInfo);
    const secret = sys.config.devices.find((d) => d.deviceName === 'cam1')!.secret;
    const token = await signViewerToken(
      secret,
      { appid: app.appid, ...device, user: 'app', role: 'owner' },
      { ttlSeconds: 8 },
    );
    const xp2pInfo = encodeXp2pInfo({ ...issued, payload: { ...issued.payload, token } });
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    try {
      expect(await p2p.init({ appParams: app, probe: 'off' })).toBe(0);
      const events = recordEvents(p2p);
      let bytes = 0;
      const code = await p2p.startP2PService(
        'renew',
        { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live', ...device, xp2pInfo },
        {
          msgCallback: () => {},
          dataCallback: (data) => (bytes += data.byteLength),
        },
      );
      expect(code).toBe(0);
      await new Promise((r) => setTimeout(r, 9_000)); // the token has expired; the stream plays on
      camera.proc.kill('SIGSTOP');
      await expect.poll(() => events.has('pathLost'), { timeout: 6_000 }).toBe(true);
      camera.proc.kill('SIGCONT');
      await expect.poll(() => events.has('reconnected'), { timeout: 10_000 }).toBe(true);
      expect(events.has('tokenRenewed')).toBe(true);
      expect(events.has('disconnected')).toBe(false);
      const before = bytes;
      await expect.poll(() => bytes, { timeout: 5_000 }).toBeGreaterThan(before + 10_000);
    } finally {
      camera.proc.kill('SIGCONT');
      p2p.destroy();
      await camera.kill();
    }
  }, 60_000);

  it('a camera whose pongs never arrive (an agent without the heartbeat) is judged once, then left to ICE', async () => {
    const camera = await sys.startDevice();
    const app = appWithServer();
    const device = CAM1;
    const { xp2pInfo } = await fetchXp2pInfo(app, device);
    // the viewer's control channel never delivers the camera's pongs: what an older agent looks like
    const platform = nodePlatform({ bindAddress: '127.0.0.1' });
    const Base = platform.RTCPeerConnection;
    platform.RTCPeerConnection = class extends Base {
      override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
        const channel = super.createDataChannel(label, init);
        if (label !== 'xp2p-ctl') return channel;
        const add = channel.addEventListener.bind(channel) as (t: string, l: (e: MessageEvent) => void) => void;
        (channel as { addEventListener: unknown }).addEventListener = (
          type: string,
          listener: (e: MessageEvent) => void,
        ) =>
          add(
            type,
            type === 'message' ? (e: MessageEvent) => !String(e.data).includes('pong') && listener(e) : listener,
          );
        return channel;
      }
    } as typeof Base;
    const p2p = createP2PModule(platform);
    try {
      expect(await p2p.init({ appParams: app, probe: 'off' })).toBe(0);
      const events = recordEvents(p2p);
      const code = await p2p.startP2PService(
        'old-agent',
        { url: 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live', ...device, xp2pInfo },
        { msgCallback: () => {} },
      );
      expect(code).toBe(0);
      await expect.poll(() => events.has('heartbeatUnanswered'), { timeout: 10_000, interval: 100 }).toBe(true);
      await new Promise((r) => setTimeout(r, 3_000)); // no reconnect loop afterwards
      expect((await p2p.getServiceStats('old-agent'))?.recoveries).toHaveLength(1);
      expect(events.has('disconnected')).toBe(false);
      expect(
        await p2p.sendCommand('old-agent', 'action=inner_define&channel=0&cmd=get_device_st&type=live&quality=high'),
      ).toMatchObject({
        type: 'success',
      });
    } finally {
      p2p.destroy();
      await camera.kill();
    }
  }, 60_000);

  it('a camera that shuts down (SIGTERM) is final: the reconnect is refused and the viewer gets disconnect', async () => {
    const camera = await sys.startDevice();
    const viewer = start([
      VIEWER,
      JSON.stringify({
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        durationMs: 30_000,
      }),
    ]);
    // once the service has started: a relay-first start's first bytes can come before P2P opens, and a camera
    // stopped then fails the start itself (-2402), which is not what this test is about
    await viewer.waitForLine(/"result":0/, 20_000);
    await viewer.waitForLine(/firstByteMs/, 20_000);
    const stoppedAt = performance.now();
    await camera.kill('SIGTERM');
    await viewer.waitForLine(/"notify":"disconnect"/, 8_000);
    expect(performance.now() - stoppedAt).toBeLessThan(5_000);
    expect(viewerEvents(viewer).filter((e) => 'unhandledRejection' in e)).toEqual([]);
    await viewer.kill();
  }, 60_000);
});
