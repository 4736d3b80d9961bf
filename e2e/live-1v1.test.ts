/**
 * The foundation's promise, end to end: server, camera and viewer in separate processes; the camera's
 * live stream reaches the viewer over a WebRTC data channel and decodes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlv, isVideoKeyframe, FLV_TAG_VIDEO } from '@xp2p/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, probePackets, trimToWholeTags, parsePrometheusText } from '@xp2p/testing';
import { CLI, start, stopAll, VIEWER, viewerEvents } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
const work = mkdtempSync(join(tmpdir(), 'xp2p-live-'));

beforeAll(async () => {
  sys = await startSystem();
  await sys.startDevice();
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function checkFlv(bytes: Uint8Array, seconds: number) {
  const { tags } = parseFlv(bytes);
  const video = tags.filter((t) => t.type === FLV_TAG_VIDEO);
  const frames = video.filter((t) => t.data[1] === 1); // AVC NALU packets (not the sequence header)
  const firstFrame = frames[0];
  expect(firstFrame && isVideoKeyframe(firstFrame)).toBe(true);
  let last = -1;
  for (const t of tags) {
    expect(t.timestamp).toBeGreaterThanOrEqual(last);
    last = t.timestamp;
  }
  // 30 fps source: at least 95% of the frames of the watched span arrive
  expect(frames.length).toBeGreaterThanOrEqual(Math.floor(30 * seconds * 0.95));
  return frames.length;
}

describe('1v1 live view over WebRTC', () => {
  it('delivers a stream that decodes, starts on a keyframe, never goes back in time and drops nothing', async () => {
    const out = join(work, 'viewer.flv');
    const viewer = start([
      VIEWER,
      JSON.stringify({
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out,
        durationMs: 10_000,
      }),
    ]);
    await viewer.waitForLine(/"done":true/, 30_000);
    const events = viewerEvents(viewer);
    expect(events.find((e) => 'result' in e)?.result).toBe(0);
    expect(events.some((e) => e.notify === 'parsed' && (e.detail as { status: number }).status === 200)).toBe(true);
    expect(events.some((e) => 'unhandledRejection' in e)).toBe(false);
    // the guide's getUUID finds this viewer's lines in the server's log
    const uuid = events.find((e) => 'uuid' in e)?.uuid as string;
    expect(uuid).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const serverLines = sys.server.lines.filter((l) => l.includes(`uuid ${uuid}`));
    expect(serverLines.some((l) => / connected$/.test(l))).toBe(true);
    expect(serverLines.some((l) => /^session \S+ viewer \S+ uuid \S+ → demo\/cam1/.test(l))).toBe(true);
    const bytes = trimToWholeTags(out);
    const frames = checkFlv(bytes, 9.5);
    expect(await decodeErrors(out)).toBe('');
    const packets = await probePackets(out);
    expect(packets.filter((p) => p.codec_type === 'video').length).toBe(frames);
    expect(packets.some((p) => p.codec_type === 'audio')).toBe(true);

    // the server never sees a frame: its TTFF histogram and byte counter come from the viewer's reports
    const metrics = async () => parsePrometheusText(await (await fetch(`${sys.serverUrl}/metrics`)).text());
    const received = events.find((e) => 'done' in e)?.bytes as number;
    expect(received).toBeGreaterThan(0);
    await expect.poll(async () => (await metrics()).get('xp2p_viewer_bytes_total{path="host"}') ?? 0).toBe(received);
    const m = await metrics();
    expect(m.get('xp2p_viewer_ttff_seconds_count{path="host"}')).toBe(1);
    const firstByteMs = events.find((e) => 'firstByteMs' in e)?.firstByteMs as number;
    expect(m.get('xp2p_viewer_ttff_seconds_sum{path="host"}')).toBeGreaterThan(0);
    expect(m.get('xp2p_viewer_ttff_seconds_sum{path="host"}')).toBeLessThanOrEqual((firstByteMs + 5) / 1000);
  });

  it('serves the same stream through the player bridge as plain HTTP-FLV', async () => {
    const play = start([
      CLI,
      'play',
      'demo/cam1',
      '--server',
      sys.serverUrl,
      '--data',
      sys.dataDir,
      '--bridge-port',
      '0',
    ]);
    const m = await play.waitForLine(/^play: (http:\/\/\S+)/);
    const res = await fetch(m[1]!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/x-flv');
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    await reader.cancel();
    const file = join(work, 'bridge.flv');
    writeFileSync(file, Buffer.concat(chunks));
    checkFlv(trimToWholeTags(file), 5);
    expect(await decodeErrors(file)).toBe('');
  });
});
