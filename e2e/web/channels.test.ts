/**
 * A camera with two channels (channel 1 only in the standard quality, 320x180): the live view offers its
 * streams once connected, and choosing channel 1 plays channel 1's picture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { videoState } from './helpers/page-probes.js';
import { signInByLink, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;

describe.skipIf(chromiumMissing())('web app: channels and qualities', () => {
  beforeAll(async () => {
    ws = await startWebSystem({
      cameraArgs: ['--source', '0:high=sample', '--source', '1:standard=sample-ch1-standard'],
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('lists the camera streams and switches to channel 1', async () => {
    const page = await signInByLink(browser.context, ws);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const width = () =>
      page.evaluate(() => document.querySelector<HTMLVideoElement>('video[data-role=live]')!.videoWidth);
    await expect.poll(width, { timeout: 20_000 }).toBe(640);
    const picker = page.locator('select[data-role=live-stream]');
    await expect.poll(() => picker.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await picker.locator('option').allInnerTexts()).toEqual(['Channel 0 · high', 'Channel 1 · standard']);
    await picker.selectOption('1:standard');
    await expect.poll(width, { timeout: 20_000 }).toBe(320);
    const before = (await videoState(page, 'live')).frames;
    await expect
      .poll(async () => (await videoState(page, 'live')).frames, { timeout: 10_000 })
      .toBeGreaterThan(before + 20);
    expect(problems).toEqual([]);
    await page.close();
  });
});
