/**
 * 1v1 → 1vN in the browser: the camera is capped at one live viewer and a Node viewer holds it, so the
 * web app's live view is refused by the camera and switched to the camera's 1vN stream; Chromium plays it
 * through the same dataCallback and MSE, and the server counts the camera's one publish.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '@xp2p/testing';
import { start, stopAll, VIEWER } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { videoState } from './helpers/page-probes.js';
import { signInByLink, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;

describe.skipIf(chromiumMissing())('web app: a full camera', () => {
  beforeAll(async () => {
    ws = await startWebSystem({ cameraArgs: ['--max-viewers', '1'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it("plays the camera's 1vN stream when another viewer holds its only slot", async () => {
    const holder = start([
      VIEWER,
      JSON.stringify({
        server: ws.sys.serverUrl,
        appParams: ws.sys.appParams,
        productId: 'demo',
        deviceName: 'cam1',
        out: join(ws.work, 'holder.flv'),
        durationMs: 60_000,
      }),
    ]);
    await holder.waitForLine(/"result":0/, 30_000);

    const page = await signInByLink(browser.context, ws); // the printed link opens demo/cam1
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await expect.poll(async () => (await videoState(page, 'live')).frames, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await videoState(page, 'live');
    await page.waitForTimeout(4_000);
    const later = await videoState(page, 'live');
    expect(later.frames - first.frames).toBeGreaterThan(4 * 10);
    expect(later.error).toBeUndefined();
    const metrics = parsePrometheusText(await (await fetch(`${ws.sys.serverUrl}/metrics`)).text());
    expect(metrics.get('xp2p_camera_streams_total')).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
