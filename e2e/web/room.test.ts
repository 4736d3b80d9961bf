/**
 * The 1vN room in the web app: a published stream watched by three browser pages through the swarm.
 * Each plays (frames grow, time advances), at least two receive bytes from the other pages over WebRTC
 * (the room's figures, read from its data attributes), the chart draws, the upload switch turns a viewer
 * into mobile mode, and an unknown stream says so with its code. The main page lists the room.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, start, stopAll, type RunningProcess } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { videoState } from './helpers/page-probes.js';
import { signInByLink, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;
let publisher: RunningProcess;
const STREAM = 'webroom';

const figures = (page: Page) =>
  page.evaluate(() => {
    const d = document.querySelector<HTMLElement>('[data-role=room-stats]')?.dataset ?? {};
    return {
      p2pBytes: Number(d.p2pBytes ?? 0),
      cdnBytes: Number(d.cdnBytes ?? 0),
      uploadBytes: Number(d.uploadBytes ?? 0),
      peers: Number(d.peers ?? 0),
      share: Number(d.share ?? 0),
      bitrateKbps: Number(d.bitrateKbps ?? 0),
      samples: Number(d.samples ?? 0),
      refusedRecords: Number(d.refusedRecords ?? -1),
    };
  });

describe.skipIf(chromiumMissing())('web app: 1vN room', () => {
  beforeAll(async () => {
    ws = await startWebSystem({ startCamera: false });
    publisher = start([CLI, 'publish', STREAM, 'sample', '--server', ws.sys.serverUrl, '--data', ws.sys.dataDir]);
    await publisher.waitForLine(/^publishing:/);
    browser = await launchBrowser();
    await (await signInByLink(browser.context, ws)).close();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('three pages play the room; at least two get P2P bytes; the upload switch and errors are shown', async () => {
    const problems: string[] = [];
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.context.newPage();
      page.on('pageerror', (e) => problems.push(`page ${i}: ${e.message}`));
      pages.push(page);
    }
    const [first, second, third] = pages as [Page, Page, Page];

    // an unknown stream: a readable message with the guide's code
    await first.goto(`${ws.pageUrl}#/room/nosuchstream`);
    const alert = first.locator('.room [role=alert]');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.innerText()).toMatch(/\(-2402\).*(not live|404)/);

    // the main page lists the room; its link opens it
    await first.locator('a', { hasText: 'Home' }).click();
    const item = first.locator(`[data-role=rooms] li[data-stream=${STREAM}]`);
    await item.waitFor({ timeout: 10_000 });
    expect(await item.innerText()).toMatch(/live/);
    await item.locator('a').click();
    await first.waitForURL(new RegExp(`#/room/${STREAM}$`));
    for (const page of [second, third]) {
      await new Promise((r) => setTimeout(r, 300));
      await page.goto(`${ws.pageUrl}#/room/${STREAM}`);
    }

    for (const page of pages) {
      await expect.poll(async () => (await videoState(page, 'room')).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    }
    const before = await Promise.all(pages.map((p) => videoState(p, 'room')));
    await new Promise((r) => setTimeout(r, 8_000));
    const after = await Promise.all(pages.map((p) => videoState(p, 'room')));
    const stats = await Promise.all(pages.map(figures));
    console.log(`web room: ${JSON.stringify(stats)}`);
    for (const [i, a] of after.entries()) {
      expect(a.frames - before[i]!.frames, `page ${i} frames`).toBeGreaterThan(8 * 10);
      expect(a.currentTime - before[i]!.currentTime, `page ${i} time`).toBeGreaterThanOrEqual(6);
      expect(a.error, `page ${i} video error`).toBeUndefined();
    }
    expect(stats.filter((s) => s.p2pBytes > 0).length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(await page.locator('.room').getAttribute('data-signed')).toBe('true');
    for (const s of stats) {
      expect(s.samples).toBeGreaterThan(5); // sampled every second
      expect(s.peers).toBeGreaterThan(0);
      expect(s.bitrateKbps).toBeGreaterThan(0);
      // the room joins with the stream's key (from /api/streams): Chromium's WebCrypto checked every record
      expect(s.refusedRecords).toBe(0);
    }
    expect(await first.locator('[data-role=room-chart]').getAttribute('aria-label')).toMatch(/P2P share \d+%/);
    if (process.env.XP2P_WEB_SHOTS)
      await first.screenshot({ path: `${process.env.XP2P_WEB_SHOTS}/room-page.png`, fullPage: true });

    // mobile mode: the switch restarts the service without upload, says so, and it still plays
    await third.locator('[data-role=upload]').uncheck();
    expect(await third.locator('.room').getAttribute('data-upload')).toBe('false');
    expect(await third.locator('[data-role=upload-mode]').innerText()).toMatch(/Mobile mode/);
    await expect
      .poll(() => third.locator('[data-role=room-status]').innerText(), { timeout: 15_000 })
      .toMatch(/Playing.*mobile mode/);
    const m1 = await videoState(third, 'room');
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await videoState(third, 'room')).frames).toBeGreaterThan(m1.frames);
    expect((await figures(third)).uploadBytes).toBe(0);

    const server = (await (await fetch(`${ws.sys.serverUrl}/api/streams/${STREAM}/stats`)).json()) as {
      p2pBytes: number;
    };
    console.log(`web room: server ${JSON.stringify(server)}`);
    expect(problems).toEqual([]);
    for (const page of pages) await page.close();
  });
});
