/**
 * The demo page plays the camera with no typing: the server's printed one-time link → signed in → demo/cam1
 * opened → live video over a real WebRTC data channel from the camera process into Chromium's MSE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { videoState } from './helpers/page-probes.js';
import { signInByLink, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;

describe.skipIf(chromiumMissing())('web app: live view', () => {
  beforeAll(async () => {
    ws = await startWebSystem();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('the sign-in link opens demo/cam1 and plays: frames grow and time advances for 5 s; TTFF and path shown', async () => {
    const page = await signInByLink(browser.context, ws);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await expect.poll(async () => (await videoState(page, 'live')).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await videoState(page, 'live');
    await page.waitForTimeout(5_500);
    const later = await videoState(page, 'live');
    expect(later.frames - first.frames).toBeGreaterThan(5 * 10); // a 25–30 fps source: well above 10 fps
    expect(later.currentTime - first.currentTime).toBeGreaterThanOrEqual(4.5);
    expect(later.error).toBeUndefined();

    const stats = page.locator('[data-role=live-stats]');
    await expect.poll(() => stats.getAttribute('data-path'), { timeout: 5_000 }).toBe('host');
    expect(Number(await stats.getAttribute('data-ttff-ms'))).toBeGreaterThan(0);
    console.log(`web live: ${await stats.innerText()}`);
    expect(await stats.innerText()).toMatch(/First frame in \d+ ms · path: direct \(host\)/);

    // not blank: the picture has many distinct colours (a black or single-colour frame has one or two)
    const shot = await page.locator('video[data-role=live]').screenshot();
    if (process.env.XP2P_WEB_SHOTS) await page.screenshot({ path: `${process.env.XP2P_WEB_SHOTS}/live-page.png` });
    expect(await distinctColours(page, shot)).toBeGreaterThan(50);
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** Distinct colours in a PNG, counted in the page (a canvas decodes it; no image library needed). */
async function distinctColours(page: import('playwright-core').Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add(((d[i]! >> 3) << 10) | ((d[i + 1]! >> 3) << 5) | (d[i + 2]! >> 3));
    return seen.size;
  }, png.toString('base64'));
}
