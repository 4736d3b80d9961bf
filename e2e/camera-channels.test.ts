/**
 * A camera with several channels (an NVR) and qualities (main and sub stream), each its own source:
 * `xp2p device --source 0:high=... --source 0:standard=... --source 1:high=...`. A viewer picks one with
 * `channel=N&quality=Q`, gets that stream (its own resolution), and each channel records on its own.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, trimToWholeTags } from '@xp2p/testing';
import { CLI, start, stopAll, VIEWER, viewerEvents } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const run = promisify(execFile);
let sys: TestSystem;

beforeAll(async () => {
  sys = await startSystem();
  await sys.startDevice([
    ...[
      '--source',
      '0:high=sample',
      '--source',
      '0:standard=sample-standard',
      '--source',
      '1:standard=sample-ch1-standard',
    ],
    ...['--segment-seconds', '2'],
  ]);
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
});

async function watch(params: string, name: string): Promise<string> {
  const out = join(sys.dataDir, name);
  const viewer = start([
    VIEWER,
    JSON.stringify({
      server: sys.serverUrl,
      appParams: sys.appParams,
      productId: 'demo',
      deviceName: 'cam1',
      params,
      out,
      durationMs: 2500,
    }),
  ]);
  await viewer.waitForLine(/"done":true/, 30_000);
  const result = viewerEvents(viewer).find((e) => 'result' in e);
  expect(result?.result, JSON.stringify(result)).toBe(0);
  const whole = join(sys.dataDir, `whole-${name}`);
  writeFileSync(whole, trimToWholeTags(out));
  expect(await decodeErrors(whole)).toBe('');
  return whole;
}

async function videoSize(file: string): Promise<string> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file],
  ]);
  return stdout.trim();
}

const cmd = async (command: string): Promise<unknown> => {
  const { stdout } = await run(process.execPath, [
    ...[CLI, 'cmd', 'demo/cam1', command, '--server', sys.serverUrl, '--data', sys.dataDir],
  ]);
  return JSON.parse((JSON.parse(stdout) as { data: string }).data);
};

describe('a camera with channels and qualities', () => {
  it('serves channel 1 and the standard quality at its lower resolution; an unknown one is refused', async () => {
    expect(await videoSize(await watch('action=live&channel=0&quality=high', 'ch0-high.flv'))).toBe('640,360');
    expect(await videoSize(await watch('action=live&channel=0&quality=standard', 'ch0-standard.flv'))).toBe('320,180');
    // no quality: the channel's best, here channel 1's only one
    expect(await videoSize(await watch('action=live&channel=1', 'ch1.flv'))).toBe('320,180');

    const refused = start([
      VIEWER,
      JSON.stringify({
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        params: 'action=live&channel=1&quality=high',
        durationMs: 500,
      }),
    ]);
    await refused.waitForLine(/"done":true/, 30_000);
    const result = viewerEvents(refused).find((e) => 'result' in e);
    expect(result?.result).toBe(-2402);
    expect(String(result?.lastError)).toMatch(/channel 1 has no quality high \(it has standard\)/);

    const st = (await cmd('action=inner_define&channel=0&cmd=get_device_st&type=live')) as { streams: unknown }[];
    expect(st[0]!.streams).toEqual([
      { channel: 0, quality: 'high', source: 'live' },
      { channel: 0, quality: 'standard', source: 'live' },
      { channel: 1, quality: 'standard', source: 'live' },
    ]);
  }, 120_000);

  it('records each channel on its own (its best quality): channel 1 plays back its own picture', async () => {
    const now = Math.floor(Date.now() / 1000);
    const listOf = async (channel: number) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { file_list } = (await cmd(
          `action=inner_define&channel=${channel}&cmd=get_file_list&start_time=${now - 3600}&end_time=${now + 3600}&file_type=0`,
        )) as { file_list: { start_time: number; end_time: number }[] };
        if (file_list.length > 0 || Date.now() > deadline) return file_list;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const [ch1] = await listOf(1);
    expect(ch1).toBeDefined();
    expect((await listOf(0)).length).toBeGreaterThan(0);
    const played = await watch(
      `action=playback&channel=1&start_time=${ch1!.start_time}&end_time=${ch1!.start_time + 5}`,
      'ch1-playback.flv',
    );
    expect(await videoSize(played)).toBe('320,180'); // channel 0 records 640x360
  }, 120_000);
});
