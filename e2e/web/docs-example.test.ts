/**
 * The browser getting-started page (docs/examples/play-camera.html, under 30 lines) really plays a camera:
 * served beside the built sdk bundle and mpegts.js, opened in Chromium signed in through the server's
 * printed link (a session cookie; no app secret anywhere in the page), it shows live video from the camera
 * process over a WebRTC data channel.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { signInByLink, startWebSystem, type WebSystem } from './helpers/web-system.js';

const EXAMPLE = fileURLToPath(new URL('../../docs/examples/play-camera.html', import.meta.url));

let ws: WebSystem;
let browser: TestBrowser;

describe.skipIf(chromiumMissing())('docs: the browser getting-started page', () => {
  beforeAll(async () => {
    ws = await startWebSystem();
    copyFileSync(EXAMPLE, join(ws.work, 'web', 'play-camera.html'));
    browser = await launchBrowser();
    await (await signInByLink(browser.context, ws)).close();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('is under 30 lines', () => {
    expect(readFileSync(EXAMPLE, 'utf8').trimEnd().split('\n').length).toBeLessThan(30);
  });

  it('plays demo/cam1: frames grow, time advances, the status says playing', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${ws.web.url}/play-camera.html#camera=demo/cam1`);
    const frames = () =>
      page.evaluate(() => document.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames);
    await expect.poll(frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await frames();
    const t0 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForTimeout(3_000);
    expect((await frames()) - first).toBeGreaterThan(30);
    expect(await page.evaluate(() => document.querySelector('video')!.currentTime)).toBeGreaterThan(t0 + 2);
    expect(await page.locator('#status').innerText()).toBe('playing');
    expect(problems).toEqual([]);
    await page.close();
  });
});
