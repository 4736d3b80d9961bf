/**
 * A camera agent whose RTSP source drops (the camera reboots, Wi-Fi blinks) and comes back. The source is a
 * real RTSP server (GStreamer's, from Debian packages) that the test stops and restarts on the same address.
 * The agent stays online and reopens the source; meanwhile a new viewer is told why it cannot watch, and a
 * viewer that was watching keeps one FLV that decodes across the outage.
 */
import { execFile } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, freePort, probePackets, trimToWholeTags, waitUntil } from '@xp2p/testing';
import { startRtspCamera } from './helpers/rtsp-camera.js';
import { CLI, start, stopAll, VIEWER, viewerEvents } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const run = promisify(execFile);

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
});

/** Waits until `file` grew by `bytes` from now (the live view is flowing). */
async function waitForGrowth(file: string, bytes: number, timeoutMs: number): Promise<void> {
  const from = statSync(file).size;
  await waitUntil(() => statSync(file).size >= from + bytes, {
    timeoutMs,
    intervalMs: 100,
    what: `${file} to grow by ${bytes} bytes`,
  });
}

const viewerArgs = (extra: Record<string, unknown>) =>
  JSON.stringify({ server: sys.serverUrl, appParams: sys.appParams, productId: 'demo', deviceName: 'cam1', ...extra });

describe('a camera whose RTSP source drops and comes back', () => {
  it('stays online, refuses new viewers with the reason meanwhile, and the running live view continues as one FLV', async () => {
    const port = await freePort();
    const rtsp = await startRtspCamera(port);
    const camera = await sys.startDevice(['--source', rtsp.url, '--no-record']);
    const out = join(sys.dataDir, 'through-outage.flv');
    const viewer = start([VIEWER, viewerArgs({ out, durationMs: 120_000 })]);
    await viewer.waitForLine(/firstByteMs/, 30_000);
    await waitForGrowth(out, 40_000, 20_000);
    const beforeOutage = statSync(out).size;

    await rtsp.proc.kill('SIGKILL'); // the camera's RTSP server is gone without a goodbye
    await camera.waitForLine(/source down: /, 20_000);

    // during the outage: a new viewer gets the guide's -2402, and lastError says why
    const late = start([VIEWER, viewerArgs({ durationMs: 1000 })]);
    await late.waitForLine(/"done":true/, 30_000);
    const refused = viewerEvents(late).find((e) => 'result' in e);
    expect(refused?.result, JSON.stringify(refused)).toBe(-2402);
    expect(String(refused?.lastError)).toMatch(/source is down/);
    // and get_device_st says the camera is online but blind
    const { stdout } = await run(process.execPath, [
      CLI,
      'cmd',
      'demo/cam1',
      'action=inner_define&channel=0&cmd=get_device_st&type=live',
      '--server',
      sys.serverUrl,
      '--data',
      sys.dataDir,
    ]);
    const answer = JSON.parse((JSON.parse(stdout) as { data: string }).data) as Record<string, unknown>[];
    expect(answer[0]).toMatchObject({ status: 1, source: 'down', sourceError: expect.any(String) });

    await startRtspCamera(port); // the camera is back, at the same address
    await camera.waitForLine(/source: back after the outage/, 40_000);
    await waitForGrowth(out, 40_000, 30_000);
    const events = viewerEvents(viewer); // before the test stops it (stopping ends with close)
    await viewer.kill();
    // the running viewer never saw its stream end
    expect(events.filter((e) => e.notify === 'eof' || e.notify === 'disconnect' || e.notify === 'close')).toEqual([]);
    expect(statSync(out).size).toBeGreaterThan(beforeOutage + 40_000);
    // one FLV: it decodes from start to end, and its picture timeline only moves forward
    const whole = join(sys.dataDir, 'through-outage-whole.flv');
    writeFileSync(whole, trimToWholeTags(out));
    const errors = await decodeErrors(whole);
    expect(errors, errors.slice(0, 2000)).toBe('');
    const video = (await probePackets(whole)).filter((p) => p.codec_type === 'video');
    const dts = video.map((p) => Number(p.dts_time));
    expect(dts.every((t, i) => i === 0 || t > dts[i - 1]!)).toBe(true);
    // frames from before and after the outage: the second source's keyframe follows the first's frames
    expect(video.filter((p) => p.flags?.startsWith('K')).length).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
