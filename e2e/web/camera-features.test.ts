/**
 * The camera page beyond live view, with the camera in its own process: talk with Chromium's fake
 * microphone (the camera writes a WAV), a file download saved through the browser, and playback of a
 * recording with seek.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { holdToTalk } from './helpers/hold-to-talk.js';
import { videoState, waitForFrames } from './helpers/page-probes.js';
import { signInByLink, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;
let page: Page;
const file = randomBytes(3 * 1024 * 1024 + 123);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(chromiumMissing())('web app: talk, download, playback', () => {
  beforeAll(async () => {
    ws = await startWebSystem({ files: { 'clip.bin': file } });
    browser = await launchBrowser();
    page = await signInByLink(browser.context, ws);
    await waitForFrames(page, 'live');
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('talk: holding the button sends the fake microphone; the camera writes non-silent PCM of that length', async () => {
    const talk = await holdToTalk(page, 3_000, join(ws.work, 'voice'));
    expect(talk.sampleRate).toBe(16000);
    expect(talk.seconds).toBeGreaterThan(talk.heldS - 0.6);
    expect(talk.seconds).toBeLessThan(talk.heldS + 0.6);
    console.log(
      `web talk: held ${talk.heldS.toFixed(2)} s, wav ${talk.seconds.toFixed(2)} s, rms ${talk.rms.toFixed(0)}, peak ${talk.peak}`,
    );
    expect(talk.peak).toBeGreaterThan(1000);
    expect(talk.rms).toBeGreaterThan(50);
  });

  it('download: the page saves a file equal to the camera file, with the progress bar full', async () => {
    await page.locator('[data-tab=Files]').click();
    const button = page.locator('[data-file="clip.bin"]');
    await button.waitFor({ timeout: 10_000 });
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), button.click()]);
    expect(download.suggestedFilename()).toBe('clip.bin');
    const saved = readFileSync(await download.path());
    expect(saved.length).toBe(file.length);
    expect(sha256(saved)).toBe(sha256(file));
    expect(await page.locator('[data-role=download-progress]').evaluate((p) => (p as HTMLProgressElement).value)).toBe(
      1,
    );
    expect(await page.locator('[data-role=download-status]').getAttribute('data-state')).toBe('done');
  });

  it('playback: a recorded range from the calendar plays, and seeks', async () => {
    // the camera records its live source in 2 s segments: let it hold some seconds of video
    await page.waitForTimeout(8_000);
    await page.locator('[data-tab=Recordings]').click();
    const today = new Date().getUTCDate();
    const day = page.locator(`.calendar .day.has-video[data-day="${today}"]`);
    await day.waitFor({ timeout: 10_000 });
    await day.click();
    const range = page.locator('[data-role=ranges] button').first();
    await range.waitFor({ timeout: 10_000 });
    await range.click();
    await expect.poll(async () => (await videoState(page, 'playback')).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const a = await videoState(page, 'playback');
    await page.waitForTimeout(2_000);
    const b = await videoState(page, 'playback');
    expect(b.frames).toBeGreaterThan(a.frames + 20);
    expect(b.currentTime).toBeGreaterThan(a.currentTime + 1);

    const seek = page.locator('[data-role=seek]');
    const max = Number(await seek.getAttribute('max'));
    const min = Number(await seek.getAttribute('min'));
    expect(max - min).toBeGreaterThanOrEqual(5);
    const target = max - 2;
    await seek.evaluate((el, t) => {
      const input = el as HTMLInputElement;
      input.value = String(t);
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new Event('change'));
    }, target);
    const position = page.locator('[data-role=playback-position]');
    await expect
      .poll(async () => Math.abs(Number(await position.getAttribute('data-time')) - target), { timeout: 5_000 })
      .toBeLessThanOrEqual(1);
    const c = await videoState(page, 'playback');
    await page.waitForTimeout(1_000);
    const d = await videoState(page, 'playback');
    expect(d.frames).toBeGreaterThan(c.frames);
    expect(d.error).toBeUndefined();
  });
});
