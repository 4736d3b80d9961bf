/**
 * The browser's NAT probe in real Chromium: no UDP sockets in a page, so the sdk gathers ICE candidates
 * against the server's STUN service (the ICE servers the server hands out) and reads the mapped address.
 * On this loopback machine, with the test flags (mDNS host names off, loopback allowed), every STUN answer
 * equals its socket's own address, so Chromium drops the srflx candidates as redundant and completes
 * gathering at once: the sdk reports 'open' with the host address the server saw (127.0.0.1). What a real
 * NAT looks like (a srflx that is not a host address), and mDNS-hidden hosts (Chromium's default: mapped
 * address known, NAT or not unknown), are covered by the classifier's unit tests on candidate lines
 * Chromium produced here (packages/sdk/src/nat/ice-probe.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { signInWithForm, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;

interface PageNat {
  code: number;
  stats: Record<string, unknown> & { probes: number };
  events: { event: string; detail: unknown }[];
}

/**
 * init()s the page's own sdk module (the bundle the server serves at /sdk/xp2p-sdk.js) and keeps its events.
 * The page is signed in (a session cookie): it signals with tickets from /api/web/ticket, no app secret.
 */
async function initInPage(page: Page, appParams: { serverUrl: string }): Promise<PageNat> {
  // a module script, not import() inside evaluate (vitest would rewrite that for Node)
  await page.addScriptTag({
    type: 'module',
    content: "import * as sdk from '/sdk/xp2p-sdk.js'; window.xp2pSdk = sdk;",
  });
  await page.waitForFunction(() => 'xp2pSdk' in window);
  return page.evaluate(async (app) => {
    const sdk = (window as unknown as { xp2pSdk: unknown }).xp2pSdk as {
      createBrowserP2PModule: () => {
        init: (o: unknown) => Promise<number>;
        getNatStats: () => unknown;
        destroy: () => void;
      };
    };
    const w = window as unknown as { nat: { p2p: unknown; events: { event: string; detail: unknown }[] } };
    const events: { event: string; detail: unknown }[] = [];
    const p2p = sdk.createBrowserP2PModule();
    w.nat = { p2p, events };
    const session = (await (await fetch('/api/web/session')).json()) as { appid: string; csrf: string };
    const ticket = async () =>
      (
        (await (
          await fetch('/api/web/ticket', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-xp2p-csrf': session.csrf },
            body: '{}',
          })
        ).json()) as { ticket: string }
      ).ticket;
    const code = await p2p.init({
      appParams: { appid: session.appid, serverUrl: app.serverUrl },
      ticket,
      probe: 'wait',
      eventHandler: (event: string, detail: unknown) => {
        if (event.startsWith('nat')) events.push({ event, detail: JSON.parse(JSON.stringify(detail)) });
      },
    });
    return { code, stats: p2p.getNatStats() as PageNat['stats'], events };
  }, appParams);
}

function pageNat(page: Page): Promise<Omit<PageNat, 'code'>> {
  return page.evaluate(() => {
    const w = window as unknown as {
      nat: { p2p: { getNatStats: () => unknown }; events: { event: string; detail: unknown }[] };
    };
    return { stats: w.nat.p2p.getNatStats() as PageNat['stats'], events: w.nat.events };
  });
}

describe.skipIf(chromiumMissing())('browser sdk: NAT probe by ICE gathering', () => {
  beforeAll(async () => {
    ws = await startWebSystem({ startCamera: false });
    browser = await launchBrowser();
    await signInWithForm(browser.context, ws);
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('init reports the mapped address; network signals re-probe; a failed probe fires natError', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${ws.web.url}/#/signin`);
    const first = await initInPage(page, { serverUrl: ws.web.url });
    expect(first.events).toEqual([]); // no natError
    expect(first.code).toBe(0);
    expect(first.stats).toMatchObject({
      state: 'ok',
      natType: 'open',
      behindNat: false,
      mapping: 'endpoint-independent',
      filtering: 'unknown', // not measurable from a browser
      rfc5780: false,
      mapped: { address: '127.0.0.1', port: expect.any(Number) },
      servers: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)],
      probes: 1,
    });
    expect(first.events).toEqual([]);

    // the browser going offline and online again: each signal re-probes; the address is the same, so no natChanged
    await browser.context.setOffline(true);
    await browser.context.setOffline(false);
    await expect.poll(async () => (await pageNat(page)).stats.probes, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect((await pageNat(page)).events.filter((e) => e.event === 'natChanged')).toEqual([]);

    // the server gone: the next network signal's probe fails and says so
    await ws.sys.server.kill();
    await browser.context.setOffline(true);
    await expect
      .poll(async () => (await pageNat(page)).events.map((e) => e.event), { timeout: 15_000 })
      .toContain('natError');
    const after = await pageNat(page);
    expect(after.events.find((e) => e.event === 'natError')?.detail).toMatchObject({
      code: -2202,
      message: expect.any(String),
    });
    expect(after.stats).toMatchObject({ state: 'failed', mapped: { address: '127.0.0.1' } });
    await browser.context.setOffline(false);
    await page.evaluate(() => (window as unknown as { nat: { p2p: { destroy: () => void } } }).nat.p2p.destroy());
    await page.close();
  });
});
