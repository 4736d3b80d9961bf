/**
 * Path recovery on loopback (the NAT lab, e2e/nat/path-faults.test.ts, breaks real NAT mappings; this
 * runs without root): the camera process freezes (SIGSTOP) for 3 s mid-stream, so the viewer hears nothing
 * and counts the path as broken; it reconnects on a fresh peer connection, and once the camera runs again
 * the live stream resumes in the same dataCallback as one FLV that decodes, without a new startP2PService.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, probePackets, trimToWholeTags } from './helpers/media-check.js';
import { start, stopAll, VIEWER, viewerEvents } from './helpers/processes.js';
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
    await viewer.waitForLine(/path to the camera lost/, 5_000);
    await new Promise((r) => setTimeout(r, 1_000));
    camera.proc.kill('SIGCONT');
    const resumedAt = performance.now();
    await viewer.waitForLine(/live stream resumed/, 10_000);
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
    await viewer.waitForLine(/firstByteMs/, 20_000);
    const stoppedAt = performance.now();
    await camera.kill('SIGTERM');
    await viewer.waitForLine(/"notify":"disconnect"/, 8_000);
    expect(performance.now() - stoppedAt).toBeLessThan(5_000);
    expect(viewerEvents(viewer).some((e) => 'unhandledRejection' in e)).toBe(false);
    await viewer.kill();
  }, 60_000);
});
