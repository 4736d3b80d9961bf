/**
 * Accounts end to end (issue 12), with real processes and a real database, embedded and PostgreSQL: two
 * apps made with `xp2p app add`, each with a camera made with `xp2p device add` and run with its secret in
 * XP2P_DEVICE_SECRET; every cross-tenant attempt refused the way an unknown device is; a viewer-role user
 * plays but the camera itself refuses talk, commands and download; unshare ends a running live view within
 * 5 s; a removed device is refused at its next login; a 1vN stream registered to one app (`xp2p stream add`)
 * is, to any other app's tracker join, a stream that does not exist.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeXp2pInfo, encodeXp2pInfo, appSignatureHeaders, signAppRequest } from '@xp2p/protocol';
import { cleanupNodeWebRTC, createNodeP2PModule, WavFileRecorder } from '@xp2p/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startPostgres, type PostgresProcess } from '@xp2p/testing';
import { CLI, start, stopAll, type RunningProcess } from '../helpers/processes.js';
import { waitForChunks } from '../helpers/streams.js';

interface App {
  appid: string;
  appKey: string;
  appSecretKey: string;
}

const quiet = { msgCallback: () => {} };
const LIVE = 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0';

describe.each(['embedded', 'postgres'] as const)('accounts on the %s database', (engine) => {
  let postgres: PostgresProcess | undefined;
  let dataDir: string;
  let server: RunningProcess;
  let serverUrl: string;
  let acme: App;
  let beta: App;
  const cameras: Record<string, RunningProcess> = {};
  const secrets: Record<string, string> = {};

  /** `xp2p …` on the running server's accounts; --json output parsed. */
  const xp2p = (args: string[], stdin?: string): unknown => {
    const db = postgres ? ['--db', postgres.url] : [];
    const out = execFileSync(process.execPath, [CLI, ...args, '--data', dataDir, ...db, '--json'], {
      input: stdin ?? '',
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  };

  const startCamera = async (ref: string): Promise<RunningProcess> => {
    const [product, name] = ref.split('/');
    const camera = start(
      [CLI, 'device', '--server', serverUrl, '--data', dataDir, '--product', product!, '--name', name!, '--no-record'],
      { env: { XP2P_DEVICE_SECRET: secrets[ref]! } },
    );
    await camera.waitForLine(/^device: .* online/, 30_000);
    return camera;
  };

  const xp2pInfoRaw = async (app: App, body: object): Promise<{ status: number; text: string }> => {
    const text = JSON.stringify(body);
    const sig = await signAppRequest(app, 'POST', `${serverUrl}/api/xp2pinfo`, text);
    const res = await fetch(`${serverUrl}/api/xp2pinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...appSignatureHeaders(sig) },
      body: text,
    });
    return { status: res.status, text: `${res.status} ${res.headers.get('content-type')} ${await res.text()}` };
  };
  const xp2pInfoFor = async (app: App, body: object): Promise<string> => {
    const { status, text } = await xp2pInfoRaw(app, body);
    expect(status, text).toBe(200);
    return (JSON.parse(text.slice(text.indexOf('{'))) as { xp2pInfo: string }).xp2pInfo;
  };

  beforeAll(async () => {
    if (engine === 'postgres') postgres = await startPostgres();
    dataDir = mkdtempSync(join(tmpdir(), `xp2p-accounts-${engine}-`));
    const db = postgres ? ['--db', postgres.url] : [];
    server = start([CLI, 'server', '--data', dataDir, '--port', '0', '--stun-port', '0', ...db]);
    serverUrl = (await server.waitForLine(/^server: (https?:\/\/\S+)/, 60_000))[1]!;
    acme = xp2p(['app', 'add', 'Acme']) as App;
    beta = xp2p(['app', 'add', 'Beta']) as App;
    for (const [ref, app] of [
      ['acme/cam1', acme],
      ['beta/cam1', beta],
    ] as const) {
      const made = xp2p(['device', 'add', ref, '--app', app.appid]) as { deviceSecret: string };
      secrets[ref] = made.deviceSecret;
      cameras[ref] = await startCamera(ref);
    }
    xp2p(['user', 'add', 'vera', '--app', acme.appid], 'vera-password-1\n');
    xp2p(['share', 'acme/cam1', 'vera', '--role', 'viewer']);
  }, 180_000);
  afterAll(async () => {
    cleanupNodeWebRTC();
    await stopAll();
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A tracker socket signed as `app` asks to join `stream`: the tracker's first answer, as sent. */
  const trackerJoin = async (app: App, stream: string): Promise<string> => {
    const sig = await signAppRequest(app, 'GET', `${serverUrl}/signal/peer`);
    const q = new URLSearchParams({ ...sig, timestamp: String(sig.timestamp) });
    const ws = new WebSocket(`${serverUrl.replace('http', 'ws')}/signal/peer?${q}`);
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const first = new Promise<string>((resolve) =>
        ws.on('message', (m) => {
          const text = m.toString();
          if (!/"type":"(origin|peers)"/.test(text)) resolve(text);
        }),
      );
      ws.send(JSON.stringify({ type: 'join', v: 1, stream, upload: false }));
      return await first;
    } finally {
      ws.close();
    }
  };

  it("answers another app's 1vN stream to a tracker join exactly like a stream that does not exist", async () => {
    expect(xp2p(['stream', 'add', 'acme-live', '--app', acme.appid])).toEqual({
      stream: 'acme-live',
      appid: acme.appid,
    });
    const publisher = start([CLI, 'publish', 'acme-live', 'sample', '--server', serverUrl, '--data', dataDir]);
    try {
      await waitForChunks(serverUrl, 'acme-live');
      expect(JSON.parse(await trackerJoin(acme, 'acme-live'))).toMatchObject({ type: 'joined' });
      const cross = await trackerJoin(beta, 'acme-live');
      expect(JSON.parse(cross)).toMatchObject({ type: 'error', status: 404 });
      expect(cross.replace('acme-live', 'X')).toBe((await trackerJoin(beta, 'acme-livf')).replace('acme-livf', 'X'));
    } finally {
      await publisher.kill();
    }
  });

  it("answers another app's camera exactly like a camera that does not exist", async () => {
    const cross = await xp2pInfoRaw(acme, { productId: 'beta', deviceName: 'cam1' });
    const missing = await xp2pInfoRaw(acme, { productId: 'beta', deviceName: 'nothing' });
    expect(cross.status).toBe(404);
    expect(cross.text).toBe(missing.text);
    // beta's own backend gets it
    expect((await xp2pInfoRaw(beta, { productId: 'beta', deviceName: 'cam1' })).status).toBe(200);
    // and the CLI cannot share it with acme's user either, with the same words as for no device
    const refusalOf = (args: string[]): unknown => {
      try {
        return xp2p(args);
      } catch (err) {
        return JSON.parse(String((err as { stdout?: string }).stdout)) as unknown;
      }
    };
    expect(refusalOf(['share', 'beta/cam1', 'vera', '--role', 'viewer'])).toEqual({
      error: { status: 404, message: 'no device beta/cam1 for user vera' },
    });
  });

  it("refuses an offer with another app's token and a token whose role was forged", async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    try {
      expect(await p2p.init({ appParams: { ...acme, serverUrl }, probe: 'off' })).toBe(0);
      const theirs = await xp2pInfoFor(beta, { productId: 'beta', deviceName: 'cam1' });
      expect(
        await p2p.startP2PService(
          'cross',
          { url: LIVE, productId: 'beta', deviceName: 'cam1', xp2pInfo: theirs },
          quiet,
        ),
      ).toBe(-2402);
      // vera's viewer token with its role rewritten to owner: the signature no longer matches
      const mine = decodeXp2pInfo(
        await xp2pInfoFor(acme, { productId: 'acme', deviceName: 'cam1', user: 'vera', role: 'viewer' }),
      );
      const [body, mac] = mine.payload.token.split('.');
      const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
      const forgedBody = Buffer.from(JSON.stringify({ ...claims, role: 'owner' })).toString('base64url');
      const forged = encodeXp2pInfo({ ...mine, payload: { ...mine.payload, token: `${forgedBody}.${mac}` } });
      expect(
        await p2p.startP2PService(
          'forged',
          { url: LIVE, productId: 'acme', deviceName: 'cam1', xp2pInfo: forged },
          quiet,
        ),
      ).toBe(-2402);
      expect(p2p.lastError('forged')).toMatch(/401/);
    } finally {
      p2p.destroy();
    }
  });

  it('lets a viewer watch, and the camera refuses it talk, commands and download', async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    try {
      expect(await p2p.init({ appParams: { ...acme, serverUrl }, probe: 'off' })).toBe(0);
      const xp2pInfo = await xp2pInfoFor(acme, { productId: 'acme', deviceName: 'cam1', user: 'vera', role: 'viewer' });
      expect(
        await p2p.startP2PService('vera', { url: LIVE, productId: 'acme', deviceName: 'cam1', xp2pInfo }, quiet),
      ).toBe(0);
      let bytes = 0;
      expect(await p2p.startP2PStream('vera', { dataCallback: (d) => (bytes += d.byteLength) })).toBe(0);
      await expect.poll(() => bytes, { timeout: 15_000 }).toBeGreaterThan(10_000);
      expect(await p2p.sendCommand('vera', 'action=inner_define&channel=0&cmd=get_device_st&type=live')).toMatchObject({
        type: 'failure',
        status: 403,
      });
      expect(await p2p.sendCommand('vera', 'ptz_left')).toMatchObject({ type: 'failure', status: 403 });
      const failures: { status?: number }[] = [];
      expect(
        await p2p.startLocalDownload(
          'vera',
          { urlParams: 'channel=0&file_name=any.flv&offset=0' },
          { onReceiveChunk: () => {}, onComplete: () => {}, onFailure: (r) => failures.push(r ?? {}) },
        ),
      ).toBe(-2701);
      expect(failures[0]?.status).toBe(403);
      const wav = join(dataDir, 'hello.wav');
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-ar', '16000', '-ac', '1', wav]);
      const format = await WavFileRecorder.formatOf(wav);
      expect(await p2p.startVoiceService('vera', new WavFileRecorder(wav), { format: 'PCM', ...format })).toBe(-2601);
      expect(p2p.lastError('vera')).toMatch(/403/);
    } finally {
      p2p.destroy();
    }
  }, 60_000);

  it('unshare ends a running live view within 5 s, and a new one is refused', async () => {
    const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
    try {
      expect(await p2p.init({ appParams: { ...acme, serverUrl }, probe: 'off' })).toBe(0);
      const xp2pInfo = await xp2pInfoFor(acme, { productId: 'acme', deviceName: 'cam1', user: 'vera', role: 'viewer' });
      expect(
        await p2p.startP2PService('live', { url: LIVE, productId: 'acme', deviceName: 'cam1', xp2pInfo }, quiet),
      ).toBe(0);
      let lastByteAt = 0;
      let bytes = 0;
      await p2p.startP2PStream('live', {
        dataCallback: (d) => {
          bytes += d.byteLength;
          lastByteAt = Date.now();
        },
      });
      await expect.poll(() => bytes, { timeout: 15_000 }).toBeGreaterThan(10_000);
      const unsharedAt = Date.now();
      xp2p(['unshare', 'acme/cam1', 'vera']);
      // the stream stops: no byte for 2 s, the last one within 5 s of the unshare
      await expect.poll(() => Date.now() - lastByteAt, { timeout: 10_000, interval: 100 }).toBeGreaterThan(2_000);
      expect(lastByteAt - unsharedAt).toBeLessThanOrEqual(5_000);
      expect(
        (await xp2pInfoRaw(acme, { productId: 'acme', deviceName: 'cam1', user: 'vera', role: 'viewer' })).status,
      ).toBe(403);
      const audit = xp2p(['audit', 'acme/cam1']) as { action: string; user?: string }[];
      expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['unshare', 'session', 'share']));
    } finally {
      p2p.destroy();
    }
  }, 60_000);

  it('refuses a removed camera at its next login, with the one refusal a stranger gets', async () => {
    xp2p(['device', 'remove', 'beta/cam1']);
    await cameras['beta/cam1']!.kill();
    const again = start(
      [CLI, 'device', '--server', serverUrl, '--data', dataDir, '--product', 'beta', '--name', 'cam1', '--no-record'],
      { env: { XP2P_DEVICE_SECRET: secrets['beta/cam1']! } },
    );
    await again.waitForLine(/login refused: unknown device or wrong secret/, 30_000);
  }, 60_000);
});
