/**
 * A camera capped at 4 viewers: the fifth, with 1v1 → 1vN turned off (camera-full-1vn.test.ts has it on),
 * is refused with 503 and the four keep playing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLV_TAG_VIDEO, parseFlv } from '@xp2p/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, trimToWholeTags } from '@xp2p/testing';
import { start, stopAll, VIEWER, viewerEvents, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

let sys: TestSystem;
const work = mkdtempSync(join(tmpdir(), 'xp2p-cap-'));
beforeAll(async () => {
  sys = await startSystem();
  await sys.startDevice(['--max-viewers', '4']);
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('viewer cap', () => {
  it('refuses the fifth viewer with 503 while four play on', async () => {
    const viewers: RunningProcess[] = [];
    for (let i = 0; i < 4; i++) {
      const args = {
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out: join(work, `v${i}.flv`),
        durationMs: 8_000,
      };
      viewers.push(start([VIEWER, JSON.stringify(args)]));
    }
    for (const v of viewers) await v.waitForLine(/"result":0/, 20_000);

    const fifth = start([
      VIEWER,
      JSON.stringify({
        server: sys.serverUrl,
        appParams: sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        durationMs: 1000,
        oneToManyWhenFull: false,
      }),
    ]);
    await fifth.waitForLine(/"done":true/, 20_000);
    const events = viewerEvents(fifth);
    expect(events.find((e) => 'result' in e)?.result, JSON.stringify(events)).toBe(-2402);
    expect(
      events.some((e) => e.notify === 'parsed' && (e.detail as { status: number }).status === 503),
      JSON.stringify(events),
    ).toBe(true);
    expect(String(events.find((e) => 'result' in e)?.lastError)).toMatch(/503/);

    for (const [i, v] of viewers.entries()) {
      await v.waitForLine(/"done":true/, 20_000);
      const bytes = trimToWholeTags(join(work, `v${i}.flv`));
      const frames = parseFlv(bytes).tags.filter((t) => t.type === FLV_TAG_VIDEO && t.data[1] === 1).length;
      expect(frames).toBeGreaterThan(30 * 6);
      expect(await decodeErrors(join(work, `v${i}.flv`))).toBe('');
    }
  });
});
