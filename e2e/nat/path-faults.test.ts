/**
 * A 1v1 stream when the network misbehaves, in the NAT lab (lab.ts): a viewer and two cameras, each behind
 * its own port-restricted NAT.
 * - The viewer's NAT mapping changes mid-stream (its router's public address changes, conntrack flushed):
 *   the session reconnects on a fresh peer connection over the same signalling (libdatachannel has no ICE
 *   restart, see packages/sdk/src/one-to-one/session/ipc-session.ts), the live stream resumes within 5 s as one FLV that
 *   decodes, without a new startP2PService, and natChanged reports the new mapped address.
 * - The viewer's path goes away for good: the viewer gets `disconnect` within the bound, not a hang.
 * - 5% loss on both routers: the live stream keeps decoding and a download arrives byte-identical.
 * - A 2 Mbit/s cap on the uplink of a camera sending ~4 Mbit/s: the camera drops whole GOPs, the viewer's
 *   stream degrades but never stalls for long, and the camera's memory stays bounded. The start is relayed
 *   (relay-first, the sdk's default, as in every test here) and the relay, which cannot keep up, hands over
 *   to P2P without a reconnect.
 * - The camera's public address changes mid-stream: its NAT probe notices, it logs in again at once; the
 *   watching viewer reconnects (or, where that fails, gets disconnect), and a new viewer with a freshly
 *   fetched xp2pInfo connects and decodes. (An xp2pInfo here carries no camera address, only a token, so
 *   the one fetched before the change would work too.)
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, probePackets, trimToWholeTags } from '@xp2p/testing';
import { createNatLab, jsonLines, type LabHost, type NatLab, type NsProcess } from './lab.js';
import { CLI, LAB_PRODUCT, startLabSystem, startLabViewer, tearDownLab, type LabSystem } from './lab-system.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let lab: NatLab;
let sys: LabSystem;
let viewer: LabHost;
let camera: LabHost;
/** the camera with a ~4 Mbit/s source, for the uplink cap */
let heavyCamera: LabHost;
const work = mkdtempSync(join(tmpdir(), 'xp2p-pathfaults-'));
const report: string[] = [];

beforeAll(async () => {
  const started = performance.now();
  const heavySource = join(work, 'heavy.flv');
  // noise does not compress: ~4 Mbit/s H.264, a keyframe each second
  const encode = run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=6,noise=alls=40:allf=t'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-b:v', '4M', '-maxrate', '4M', '-bufsize', '2M'],
    heavySource,
  ]);
  lab = await createNatLab(['pr', 'pr', 'pr']);
  [viewer, camera, heavyCamera] = lab.hosts as [LabHost, LabHost, LabHost];
  await encode;
  sys = await startLabSystem(lab, [camera, heavyCamera], (h) => [
    // the camera re-probes its public address each second (default 15 s), so the re-NAT test is short
    ...['--nat-reprobe-ms', '1000'],
    ...(h === heavyCamera ? ['--source', heavySource] : []),
  ]);
  report.push(`lab up (7 namespaces, server, 2 cameras) in ${Math.round(performance.now() - started)} ms`);
}, 120_000);

afterAll(() => tearDownLab(lab, sys, work, `NAT lab, path faults`, report), 60_000);

function startViewer(cam: LabHost, out: string, durationMs: number): NsProcess {
  return startLabViewer(lab, sys, viewer, cam, { out, durationMs });
}

/** ffmpeg decodes it without an error and the video's decode times never go back (one FLV, not two). */
async function expectOneValidFlv(file: string, minFrames: number): Promise<number> {
  const bytes = trimToWholeTags(file);
  expect(Buffer.from(bytes.subarray(3, 4096)).indexOf('FLV\x01'), 'a second FLV header').toBe(-1);
  expect(await decodeErrors(file), 'ffmpeg decode errors').toBe('');
  const video = (await probePackets(file)).filter((p) => p.codec_type === 'video');
  const dts = video.map((p) => Number(p.dts_time));
  for (let i = 1; i < dts.length; i++) expect(dts[i]!, `video dts at packet ${i}`).toBeGreaterThanOrEqual(dts[i - 1]!);
  expect(video.length).toBeGreaterThanOrEqual(minFrames);
  return video.length;
}

describe('NAT lab: path faults', () => {
  it("the viewer's NAT mapping changes mid-stream: the stream recovers within 5 s, natChanged fires", async () => {
    const out = join(work, 'renat-viewer.flv');
    const p = startViewer(camera, out, 12_000);
    await p.waitForLine(/"firstByteMs"/, 15_000);
    await sleep(3_000);
    const oldIp = viewer.publicIp;
    const newIp = '203.0.113.111';
    const changedAt = performance.now();
    await lab.renat(viewer, newIp);
    await p.waitForLine(/live stream resumed/, 10_000);
    const resumedMs = Math.round(performance.now() - changedAt);
    const sizeAtResume = statSync(out).size;
    await sleep(1_500);
    const grown = statSync(out).size - sizeAtResume;
    const natChanged = await p.waitForLine(/"event":"natChanged"/, 10_000);
    await p.waitForLine(/"done":true/, 30_000);
    await p.exited;
    const events = jsonLines(p);
    const detail = (JSON.parse(natChanged.input) as { detail: NatDetail }).detail;
    const stats = events.find((e) => 'stats' in e)?.stats as { recoveries: { ms: number; reason: string }[] };
    const frames = await expectOneValidFlv(out, 120);
    report.push(
      `viewer re-NAT ${oldIp} → ${newIp}: live stream resumed ${resumedMs} ms after the change ` +
        `(reconnects: ${stats.recoveries.map((r) => `${r.ms} ms after "${r.reason}"`).join(', ')}); ` +
        `natChanged ${detail.reasons.join('+')} → ${detail.current.mapped?.address}; ${frames} video frames decode`,
    );
    expect(resumedMs, 'stream back within 5 s').toBeLessThan(5_000);
    expect(grown, 'bytes keep coming after the resume').toBeGreaterThan(20_000);
    expect(events.some((e) => e.notify === 'disconnect')).toBe(false);
    expect(events.filter((e) => 'result' in e)).toHaveLength(1); // one startP2PService
    expect(stats.recoveries.length).toBeGreaterThanOrEqual(1);
    expect(detail.reasons).toContain('mapped-address');
    expect(detail.current.mapped?.address).toBe(newIp);
    expect(events.some((e) => 'unhandledRejection' in e)).toBe(false);
  }, 60_000);

  it('the viewer loses every path: disconnect within the bound, not a hang', async () => {
    const p = startViewer(camera, join(work, 'nopath.flv'), 30_000);
    await p.waitForLine(/"firstByteMs"/, 15_000);
    await sleep(2_000); // the heartbeat judges silence once the camera has answered a ping
    const cutAt = performance.now();
    await lab.setLoss(viewer, 100);
    try {
      await p.waitForLine(/"notify":"disconnect"/, 20_000);
    } finally {
      await lab.setLoss(viewer, 0);
    }
    const disconnectMs = Math.round(performance.now() - cutAt);
    report.push(`viewer cut off entirely: disconnect after ${disconnectMs} ms (path-lost 2 s + reconnect window 10 s)`);
    // heartbeat bound (2 s) + reconnect window (10 s) + slack for a busy machine
    expect(disconnectMs).toBeLessThan(15_000);
    expect(disconnectMs).toBeGreaterThan(10_000);
    await p.kill();
  }, 60_000);

  it('5% loss on both sides: the live stream keeps decoding and a download is byte-identical', async () => {
    const file = new Uint8Array(randomBytes(3 * 1024 * 1024));
    const store = join(sys.dataDir, 'recordings', `${LAB_PRODUCT}_${sys.cameraName(camera)}`);
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'loss.bin'), file);
    await lab.setLoss(viewer, 5);
    await lab.setLoss(camera, 5);
    try {
      const out = join(work, 'loss-live.flv');
      const started = performance.now();
      const p = startViewer(camera, out, 8_000);
      await p.waitForLine(/"done":true/, 40_000);
      await p.exited;
      const events = jsonLines(p);
      expect(events.find((e) => 'result' in e)?.result).toBe(0);
      const done = events.find((e) => e.done) as { bytes: number; maxGapMs: number };
      const stats = events.find((e) => 'stats' in e)?.stats as { recoveries: unknown[] };
      const frames = await expectOneValidFlv(out, 90);
      report.push(
        `5% loss both ways, live 8 s: ${frames} video frames decode, ${done.bytes} bytes, longest gap ${done.maxGapMs} ms, ` +
          `reconnects ${stats.recoveries.length}, ${Math.round(performance.now() - started)} ms`,
      );

      const saved = join(work, 'loss.bin');
      const t0 = performance.now();
      const dl = lab.start(viewer.ns, [
        ...[CLI, 'download', `${LAB_PRODUCT}/${sys.cameraName(camera)}`, 'loss.bin', '-o', saved],
        ...['--server', sys.serverUrl, '--data', sys.dataDir, '--bind', viewer.ip, '--insecure'],
      ]);
      await dl.waitForLine(/^saved /, 60_000);
      await dl.exited;
      const ms = Math.round(performance.now() - t0);
      report.push(
        `5% loss both ways, download 3 MiB: sha256 equal, ${ms} ms (${((file.byteLength * 8) / ms / 1000).toFixed(1)} Mbit/s)`,
      );
      expect(sha256(readFileSync(saved))).toBe(sha256(file));
    } finally {
      await lab.setLoss(viewer, 0);
      await lab.setLoss(camera, 0);
    }
  }, 120_000);

  it("a 2 Mbit/s cap on the camera's uplink: live view degrades, never stalls for long, camera memory stays bounded", async () => {
    const cam = sys.cameras.get(heavyCamera)!;
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${cam.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const before = rss();
    await lab.setUplinkRate(heavyCamera, 2_000);
    try {
      const out = join(work, 'capped.flv');
      const p = startViewer(heavyCamera, out, 15_000);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rss())), 250);
      try {
        await p.waitForLine(/"done":true/, 45_000);
      } finally {
        clearInterval(sampler);
      }
      await p.exited;
      const events = jsonLines(p);
      expect(events.find((e) => 'result' in e)?.result).toBe(0);
      const done = events.find((e) => e.done) as { bytes: number; maxGapMs: number };
      const stats = events.find((e) => 'stats' in e)?.stats as { recoveries: unknown[] };
      const handedOver = events.find((e) => e.sdkEvent === 'startRelayHandedOver');
      const firstByte = events.find((e) => 'firstByteMs' in e)?.firstByteMs;
      const frames = await expectOneValidFlv(out, 60);
      const mbit = (done.bytes * 8) / 15 / 1e6;
      report.push(
        `2 Mbit/s camera uplink, ~4 Mbit/s source, 15 s, relay-first start: first byte ${String(firstByte)} ms, ` +
          `${frames} video frames decode (source 450), ` +
          `${mbit.toFixed(2)} Mbit/s received, longest gap ${done.maxGapMs} ms, reconnects ${stats.recoveries.length}, ` +
          `hand-over ${JSON.stringify(handedOver ?? null)}; camera RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MiB`,
      );
      expect(frames, 'the camera dropped frames (degraded)').toBeLessThan(420);
      // relay-first must never make a start worse than a P2P-only one (0.5 s longest gap, no reconnect,
      // measured 2026-12-05): the relay may carry the start, the stream moves to P2P without a reconnect
      expect(handedOver, 'the start was relayed and handed over to P2P').toBeDefined();
      expect(handedOver?.spliced, 'taken over at the exact byte, not restarted').toBe(false);
      expect(stats.recoveries, 'no reconnect').toHaveLength(0);
      // where the relay falls behind it stops, and the stream pauses until P2P carries it on: measured 0.8-1 s
      // (P2P-only: 0.5 s; before the relay was paced by the node's acks: 5-11 s, and a reconnect)
      expect(done.maxGapMs, 'no long stall').toBeLessThan(2_000);
      // the per-viewer high-water mark (2 MiB) plus the GOP cache (8 MiB max) bound what the camera holds
      expect(peak - before, 'camera memory growth (MiB)').toBeLessThan(64);
    } finally {
      await lab.setUplinkRate(heavyCamera, 0);
    }
  }, 90_000);

  it("the camera's public address changes mid-stream: it logs in again; the viewer recovers or gets disconnect, a new one works", async () => {
    const cam = sys.cameras.get(camera)!;
    const onlineBefore = cam.lines.filter((l) => /: online( at \S+)?$/.test(l)).length;
    const out = join(work, 'renat-camera.flv');
    const p = startViewer(camera, out, 14_000);
    await p.waitForLine(/"firstByteMs"/, 15_000);
    await sleep(3_000);
    const changedAt = performance.now();
    await lab.renat(camera, '203.0.113.112');
    const outcome = await Promise.race([
      p.waitForLine(/live stream resumed/, 20_000).then(() => 'resumed' as const),
      p.waitForLine(/"notify":"disconnect"/, 20_000).then(() => 'disconnect' as const),
    ]);
    const outcomeMs = Math.round(performance.now() - changedAt);
    await expect
      .poll(() => cam.lines.filter((l) => /: online( at \S+)?$/.test(l)).length, { timeout: 10_000, interval: 50 })
      .toBeGreaterThan(onlineBefore);
    const addressLine = cam.lines.find((l) => /public address changed/.test(l));
    await p.waitForLine(/"done":true/, 30_000);
    await p.exited;

    // a new viewer, with an xp2pInfo fetched now
    const out2 = join(work, 'renat-camera-new.flv');
    const q = startViewer(camera, out2, 4_000);
    await q.waitForLine(/"done":true/, 30_000);
    await q.exited;
    const fresh = jsonLines(q);
    report.push(
      `camera re-NAT → 203.0.113.112: camera saw "${addressLine?.replace(/^.*?: /, '')}"; watching viewer ${outcome} ` +
        `${outcomeMs} ms after the change; a new viewer: result ${String(fresh.find((e) => 'result' in e)?.result)}, ` +
        `connected in ${String(fresh.find((e) => 'result' in e)?.connectMs)} ms`,
    );
    expect(addressLine, 'the camera noticed its new public address').toMatch(/203\.0\.113\.112/);
    if (outcome === 'resumed') await expectOneValidFlv(out, 120);
    expect(fresh.find((e) => 'result' in e)?.result).toBe(0);
    await expectOneValidFlv(out2, 30);
  }, 90_000);
});

interface NatDetail {
  reasons: string[];
  current: { mapped?: { address: string } };
}
