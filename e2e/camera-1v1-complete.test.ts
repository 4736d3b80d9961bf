/**
 * 1v1 beyond live view, with the camera in its own process: downloads (also cut and resumed), playback
 * across recorded segments with seek, talkback to a WAV file, built-in and custom commands, and what a
 * viewer sees when the camera dies mid-command or mid-download.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLV_TAG_VIDEO, parseFlv, startsGop } from '@xp2p/protocol';
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo, parseWav, type P2PModule } from '@xp2p/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors } from '@xp2p/testing';
import { CLI, start, stopAll, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
let camera: RunningProcess;
let p2p: P2PModule;
const work = mkdtempSync(join(tmpdir(), 'xp2p-complete-'));
const store = join(work, 'store');
const voiceDir = join(work, 'voice');
const bigFile = join(store, 'clip.bin');
const url = 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function connect(id: string): Promise<void> {
  const { xp2pInfo } = await fetchXp2pInfo(
    { ...sys.appParams, serverUrl: sys.serverUrl },
    { productId: 'demo', deviceName: 'cam1' },
  );
  const code = await p2p.startP2PService(
    id,
    { url, productId: 'demo', deviceName: 'cam1', xp2pInfo },
    { msgCallback: () => {} },
  );
  expect(code, p2p.lastError(id)).toBe(0);
}

const cmd = (id: string, c: string) => p2p.sendCommand(id, `action=inner_define&channel=0&cmd=${c}`);

beforeAll(async () => {
  mkdirSync(store, { recursive: true });
  writeFileSync(bigFile, randomBytes(24 * 1024 * 1024));
  writeFileSync(
    join(work, 'answer.sh'),
    '#!/bin/sh\nread line\nif [ "$line" = slow ]; then sleep 20; fi\necho "{\\"got\\":\\"$line\\"}"\n',
    { mode: 0o755 },
  );
  sys = await startSystem();
  camera = await sys.startDevice([
    '--recordings',
    store,
    '--segment-seconds',
    '2',
    '--voice-dir',
    voiceDir,
    '--commands',
    join(work, 'answer.sh'),
  ]);
  p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
  await p2p.init({ appParams: { ...sys.appParams, serverUrl: sys.serverUrl } });
  await connect('cam');
});
afterAll(async () => {
  p2p?.destroy();
  cleanupNodeWebRTC();
  await stopAll();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('download', () => {
  it('delivers the camera file byte for byte, also when cut half-way and resumed', async () => {
    const out = join(work, 'clip.out');
    const args = [
      CLI,
      'download',
      'demo/cam1',
      'clip.bin',
      '-o',
      out,
      '--server',
      sys.serverUrl,
      '--data',
      sys.dataDir,
    ];
    const first = start(args);
    await expect
      .poll(() => (existsSync(out) ? statSync(out).size : 0), { timeout: 20_000, interval: 20 })
      .toBeGreaterThan(4 * 1024 * 1024);
    await first.kill('SIGKILL');
    const partial = statSync(out).size;
    expect(partial).toBeLessThan(statSync(bigFile).size);
    const second = start(args);
    await second.waitForLine(/^saved /, 30_000);
    expect(second.lines.some((l) => l.includes(`resuming ${out} at ${partial} bytes`))).toBe(true);
    expect(sha256(readFileSync(out))).toBe(sha256(readFileSync(bigFile)));
  });

  it('refuses names that leave the store with 403 and reads nothing', async () => {
    const seen: { status?: number }[] = [];
    const order: string[] = [];
    const code = await p2p.startLocalDownload(
      'cam',
      { urlParams: 'channel=0&file_name=../../etc/passwd&offset=0' },
      {
        onReceiveChunk: () => order.push('chunk'),
        onFailure: (r) => (order.push('failure'), seen.push(r ?? {})),
        onComplete: () => order.push('complete'),
      },
    );
    expect(code).toBe(-2701);
    expect(seen[0]?.status).toBe(403);
    expect(order).toEqual(['failure', 'complete']);
  });
});

describe('commands', () => {
  it('answers every built-in command in the documented shape', async () => {
    const st = await cmd('cam', 'get_device_st&type=live&quality=high');
    expect(st.type).toBe('success');
    expect(JSON.parse(st.data)).toEqual([
      {
        status: 0,
        appConnectNum: expect.any(Number),
        source: 'live',
        streams: [{ channel: 0, quality: 'high', source: 'live' }],
        // 1vN streams the camera publishes because it is full (camera-full-1vn.test.ts)
        oneToMany: 0,
      },
    ]);
    const now = Math.floor(Date.now() / 1000);
    await expect
      .poll(
        async () =>
          JSON.parse((await cmd('cam', `get_record_index&start_time=${now - 600}&end_time=${now + 60}`)).data)
            .video_list.length,
        { timeout: 15_000 },
      )
      .toBeGreaterThanOrEqual(2);
    const index = JSON.parse((await cmd('cam', `get_record_index&start_time=${now - 600}&end_time=${now + 60}`)).data);
    expect(index.video_list[0]).toEqual({
      type: expect.any(Number),
      start_time: expect.any(Number),
      end_time: expect.any(Number),
    });
    const month = new Date().toISOString().slice(0, 7).replace('-', '');
    const days = JSON.parse((await cmd('cam', `get_month_record&time=${month}`)).data);
    expect(days.days & (1 << (new Date().getUTCDate() - 1))).not.toBe(0);
    const files = JSON.parse((await cmd('cam', `get_file_list&start_time=0&end_time=${now + 60}&file_type=1`)).data);
    expect(files.file_list).toContainEqual(
      expect.objectContaining({ file_name: 'clip.bin', file_size: 24 * 1024 * 1024 }),
    );
  });

  it('unknown action or cmd fails with 404; custom commands reach the camera program; oversized → -2000', async () => {
    expect(await p2p.sendCommand('cam', 'action=nonsense&channel=0')).toMatchObject({ type: 'failure', status: 404 });
    expect(await cmd('cam', 'no_such_cmd')).toMatchObject({ type: 'failure', status: 404 });
    const custom = await p2p.sendCommand('cam', 'ptz_left');
    expect(custom).toMatchObject({ type: 'success', status: 200 });
    expect(JSON.parse(custom.data)).toEqual({ got: 'ptz_left' });
    expect(await p2p.sendCommand('cam', 'x'.repeat(5000))).toMatchObject({ type: 'error', errcode: -2000 });
    expect(await p2p.sendCommand('nobody', 'ptz_left')).toMatchObject({ type: 'error', errcode: -2403 });
  });
});

describe('playback', () => {
  it('plays recordings across segment files as one FLV that decodes, ends with eof, and seeks', async () => {
    const recorded = async () => {
      const now = Math.floor(Date.now() / 1000);
      const r = await cmd('cam', `get_record_index&start_time=${now - 600}&end_time=${now + 60}`);
      const list = JSON.parse(r.data).video_list as { start_time: number; end_time: number }[];
      return { from: list[0]?.start_time ?? 0, to: list.at(-1)?.end_time ?? 0, files: list.length };
    };
    // the camera records its live source in 2 s segments: wait for at least 6 s in 3 files
    await expect
      .poll(
        async () => {
          const r = await recorded();
          return Math.min(r.to - r.from - 6, r.files - 3);
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(0);
    const { from, to } = await recorded();
    expect(to - from).toBeGreaterThanOrEqual(5);
    const chunks: Uint8Array[] = [];
    const events: string[] = [];
    const { xp2pInfo } = await fetchXp2pInfo(
      { ...sys.appParams, serverUrl: sys.serverUrl },
      { productId: 'demo', deviceName: 'cam1' },
    );
    const code = await p2p.startP2PService(
      'pb',
      {
        url: `http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=playback&channel=0&start_time=${from}&end_time=${to}&rate=max`,
        productId: 'demo',
        deviceName: 'cam1',
        xp2pInfo,
      },
      { msgCallback: (_e, s) => events.push(s), dataCallback: (d) => chunks.push(new Uint8Array(d)) },
    );
    expect(code, p2p.lastError('pb')).toBe(0);
    await expect.poll(() => events.includes('eof'), { timeout: 20_000 }).toBe(true);
    const file = join(work, 'playback.flv');
    writeFileSync(file, Buffer.concat(chunks));
    const tags = parseFlv(readFileSync(file)).tags;
    for (let i = 1; i < tags.length; i++) expect(tags[i]!.timestamp).toBeGreaterThanOrEqual(tags[i - 1]!.timestamp);
    const video = tags.filter((t) => t.type === FLV_TAG_VIDEO && t.data[1] === 1);
    expect(startsGop(video[0]!)).toBe(true);
    expect(video.length).toBeGreaterThan(30 * (to - from) * 0.8);
    expect(await decodeErrors(file)).toBe('');
    p2p.stopP2PService('pb');

    // a paced playback on one session, sought by a command on the same session
    await connect('pb2');
    let got = 0;
    expect(
      await p2p.startP2PStream('pb2', {
        dataCallback: (d) => (got += d.byteLength),
        flv: { filename: 'ipc.flv', params: `action=playback&channel=0&start_time=${from}&end_time=${to}` },
      }),
    ).toBe(0);
    const target = to - 2;
    const seek = await cmd('pb2', `playback_seek&time=${target}`);
    expect(seek.type, seek.data).toBe('success');
    const progress = JSON.parse((await cmd('pb2', 'playback_progress')).data);
    expect(Math.abs(progress.time - target)).toBeLessThanOrEqual(1); // within one GOP (1 s)
    expect(got).toBeGreaterThan(0);
    p2p.stopP2PService('pb2');
  });
});

describe('talkback', () => {
  it('writes exactly the samples sent; a second concurrent talker is refused', async () => {
    const rate = 16000;
    const samples = new Int16Array(rate * 2);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    const pcm = new Uint8Array(samples.buffer);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + pcm.byteLength, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(rate, 24);
    header.writeUInt32LE(rate * 2, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(pcm.byteLength, 40);
    const wav = join(work, 'tone.wav');
    writeFileSync(wav, Buffer.concat([header, pcm]));
    const a = start([CLI, 'talk', 'demo/cam1', wav, '--server', sys.serverUrl, '--data', sys.dataDir]);
    await a.waitForLine(/^talking:/, 15_000);
    const b = start([CLI, 'talk', 'demo/cam1', wav, '--server', sys.serverUrl, '--data', sys.dataDir]);
    await b.waitForLine(/talkback refused \(-2601\)/, 15_000);
    await a.waitForLine(/^done$/, 15_000);
    await expect.poll(() => (existsSync(voiceDir) ? readdirSync(voiceDir).length : 0), { timeout: 5000 }).toBe(1);
    const written = parseWav(new Uint8Array(readFileSync(join(voiceDir, readdirSync(voiceDir)[0]!))));
    expect(written.sampleRate).toBe(rate);
    expect(Buffer.from(written.pcm).equals(Buffer.from(pcm))).toBe(true);
  });
});

describe('camera lost mid-request', () => {
  it('a command in flight ends with error; a download in flight ends with onError then onComplete', async () => {
    const order: string[] = [];
    const download = p2p.startLocalDownload(
      'cam',
      { urlParams: 'channel=0&file_name=clip.bin&offset=0' },
      {
        onReceiveChunk: () => order.length === 0 && order.push('chunk'),
        onError: () => order.push('error'),
        onSuccess: () => order.push('success'),
        onComplete: () => order.push('complete'),
      },
    );
    expect(await download).toBe(0);
    const slow = p2p.sendCommand('cam', 'slow', { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 100));
    await camera.kill('SIGKILL');
    expect((await slow).type).toBe('error');
    await expect.poll(() => order.at(-1), { timeout: 10_000 }).toBe('complete');
    expect(order.slice(-2)).toEqual(['error', 'complete']);
  });
});
