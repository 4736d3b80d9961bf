/**
 * Regression test (opt-in) for the NAT lab's intermittent "full cone viewer → symmetric camera: no P2P
 * connection within 10000 ms": a viewer candidate that reaches the camera by trickle while the camera is
 * still checking the viewer token is dropped (packages/device/src/agent.ts: `case 'candidate'` looks the
 * session up, but `admit` registers it only after `await verifyViewerToken`). A symmetric camera can only
 * connect by sending to the viewer's srflx candidate, so when that candidate is lost in every attempt the
 * pair fails.
 *
 * Made deterministic here: the viewer's srflx candidate is kept out of the offer SDP (XP2P_TRICKLE_SRFLX,
 * as when STUN answers after the offer is written) and the camera's token check takes 50 ms longer
 * (XP2P_SLOW_VERIFY through rtc-log-preload.mjs). Measured before the device fix: 10 of 10 viewers fail
 * (7 of 20 without the slow check; about 1 in 40 in the plain lab, where srflx is usually in the SDP).
 *
 * A regression test: the camera once dropped candidates that arrived while it was checking the offer's token.
 * XP2P_ICE_LOG=1 adds libdatachannel's ICE log and the signalling messages to the failure report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatLab, type NatLab } from './lab.js';
import { NAT_VIEWER, LAB_PRODUCT, startLabSystem, type LabSystem } from './lab-system.js';

const PRELOAD = new URL('./rtc-log-preload.mjs', import.meta.url).pathname;

describe('trickled viewer candidates reach the camera', () => {
  let lab: NatLab | undefined;
  let sys: LabSystem | undefined;
  const work = mkdtempSync(join(tmpdir(), 'xp2p-trickle-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    lab = await createNatLab(['fc', 'sym']);
    // the camera (and server) inherit these; the preload slows only the `device` process's token check
    process.env.NODE_OPTIONS = `--import ${PRELOAD}`;
    process.env.XP2P_SLOW_VERIFY ??= '50';
    sys = await startLabSystem(lab, [lab.hosts[1]!]);
    for (const k of ['NODE_OPTIONS', 'XP2P_SLOW_VERIFY']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
    sys?.cleanup();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('full cone viewer → symmetric camera with srflx only trickled: every viewer connects', async () => {
    const viewer = lab!.hosts[0]!;
    const camera = lab!.hosts[1]!;
    const rounds = Number(process.env.XP2P_TRICKLE_ROUNDS ?? 2);
    const failures: string[] = [];
    for (let r = 0; r < rounds; r++) {
      await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const p = lab!.start(
            viewer.ns,
            [
              NAT_VIEWER,
              JSON.stringify({
                server: sys!.serverUrl,
                appParams: sys!.appParams,
                productId: LAB_PRODUCT,
                deviceName: sys!.cameraName(camera),
                out: join(work, `${r}-${i}.flv`),
                durationMs: 300,
                bindAddress: viewer.ip,
                connectTimeoutMs: 10_000,
              }),
            ],
            { env: { XP2P_TRICKLE_SRFLX: '1' } },
          );
          await p.waitForLine(/"done":true/, 40_000).catch(() => {});
          await p.exited;
          const res = p.lines.find((l) => l.includes('"result"')) ?? '';
          if (!res.includes('"result":0')) failures.push(`viewer ${r}.${i}:\n${p.lines.slice(-400).join('\n')}`);
        }),
      );
    }
    expect(failures.length, failures[0]).toBe(0);
  }, 300_000);
});
