/**
 * 1vN streams the origin pulls itself (`xp2p server --pull NAME=URL`): an HTTP-FLV upstream (another origin)
 * and a real RTSP camera (GStreamer's server, read through ffmpeg). Nothing is pulled before the first
 * viewer; `xp2p watch` plays the pulled stream; the pull stops after the last viewer left; a source that
 * drops while watched comes back on the same stream, which decodes as one FLV.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFor } from './helpers/http-read.js';
import { decodeErrors, probePackets, trimToWholeTags, freePort } from '@xp2p/testing';
import { CLI, start, stopAll } from './helpers/processes.js';
import { startRtspCamera } from './helpers/rtsp-camera.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let upstream: TestSystem;
let puller: TestSystem;
let rtspPort: number;

beforeAll(async () => {
  upstream = await startSystem();
  const publisher = start([CLI, 'publish', 'up', 'sample', '--server', upstream.serverUrl, '--data', upstream.dataDir]);
  await publisher.waitForLine(/^publishing: /);
  rtspPort = await freePort();
  puller = await startSystem({
    serverArgs: [
      ...['--pull', `cam=${upstream.serverUrl}/live/up.flv`],
      ...['--pull', `rtspcam=rtsp://127.0.0.1:${rtspPort}/cam`],
      ...['--pull-idle-seconds', '2'],
    ],
  });
}, 60_000);

afterAll(async () => {
  await stopAll();
  upstream?.cleanup();
  puller?.cleanup();
});

async function decodesAsOneFlv(bytes: Buffer, name: string): Promise<number> {
  const file = join(puller.dataDir, name);
  writeFileSync(file, bytes);
  const whole = join(puller.dataDir, `whole-${name}`);
  writeFileSync(whole, trimToWholeTags(file));
  expect(await decodeErrors(whole)).toBe('');
  const dts = (await probePackets(whole)).filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
  expect(dts.every((t, i) => i === 0 || t > dts[i - 1]!)).toBe(true);
  return dts.length;
}

describe('pulled 1vN streams', () => {
  it('pulls an HTTP-FLV upstream when `xp2p watch` arrives, plays it, and stops pulling after the last viewer', async () => {
    // nothing pulled before anyone asks
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(puller.server.lines.some((l) => /pull cam: /.test(l))).toBe(false);
    // a pulled stream is signed like a published one: its key from `xp2p publish-key` (second line)
    const keys = start([CLI, 'publish-key', 'cam', '--data', puller.dataDir]);
    const pk = (await keys.waitForLine(/^pk: (\S+)$/))[1]!;
    const watcher = start([CLI, 'watch', `${puller.serverUrl}/live/cam.flv?pk=${pk}`, '--data', puller.dataDir]);
    const play = (await watcher.waitForLine(/^play: (\S+)/, 30_000))[1]!;
    await puller.server.waitForLine(/pull cam: a viewer arrived/, 5_000);
    const frames = await decodesAsOneFlv(await readFor(play, 4_000), 'watched.flv');
    expect(frames).toBeGreaterThan(50); // ~3 s of 25-30 fps video through the swarm peer
    await watcher.kill();
    await puller.server.waitForLine(/pull cam: stopped \(no viewer for 2000 ms\)/, 15_000);
    // and the stream is gone until the next viewer
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await readFor(`${puller.serverUrl}/live/cam.flv`, 2_000);
    expect(again.byteLength).toBeGreaterThan(10_000);
  }, 90_000);

  it('pulls an RTSP camera through ffmpeg, and a camera that drops mid-stream continues the same stream', async () => {
    const camera = await startRtspCamera(rtspPort);
    const reading = readFor(`${puller.serverUrl}/live/rtspcam.flv`, 16_000);
    await puller.server.waitForLine(/pull rtspcam: a viewer arrived/, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await camera.proc.kill('SIGKILL'); // the camera reboots
    await puller.server.waitForLine(/pull rtspcam: .*reopening in/, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await startRtspCamera(rtspPort);
    const bytes = await reading;
    const linesAfter = puller.server.lines.filter((l) => /pull rtspcam: /.test(l));
    expect(linesAfter.some((l) => /stopped/.test(l))).toBe(false);
    // one FLV from before the drop to after the return: 25 fps, at least ~3 s before and ~3 s after
    expect(await decodesAsOneFlv(bytes, 'rtsp.flv')).toBeGreaterThan(150);
  }, 90_000);
});
