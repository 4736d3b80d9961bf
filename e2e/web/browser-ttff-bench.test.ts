/** The browser TTFF bench the lead runs from `npm run bench` works end to end (a few runs, loopback). */
import { benchBrowserTtff } from '@xp2p/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing } from './helpers/browser.js';
import { startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;

describe.skipIf(chromiumMissing())('bench: browser TTFF', () => {
  beforeAll(async () => {
    ws = await startWebSystem();
  });
  afterAll(async () => {
    await stopAll();
    await ws?.cleanup();
  });

  it('measures startP2PService → first frame in Chromium, p50 and p95', async () => {
    const r = await benchBrowserTtff({ serverUrl: ws.sys.serverUrl, user: ws.demoUser, runs: 6 });
    console.log(`web ttff: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, samples ${r.samplesMs.join(' ')}`);
    expect(r.failures).toBe(0);
    expect(r.samplesMs).toHaveLength(6);
    expect(r.p95Ms).toBeLessThan(5_000);
  });
});
