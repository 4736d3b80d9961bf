/**
 * `npm start`'s web line, end to end: `xp2p demo` prints a one-time sign-in link; Chromium opens it, is
 * signed in (an HttpOnly session cookie), lands on a clean URL and plays demo/cam1 over a real WebRTC data
 * channel. The app secret is nowhere the page can reach: not in localStorage, sessionStorage or
 * document.cookie, and not in any file or API answer the page loaded. The link does not work twice.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, start, stopAll, type RunningProcess } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { videoState } from './helpers/page-probes.js';

let demo: RunningProcess;
let browser: TestBrowser;
let data: string;
let signInUrl: string;
let secrets: { app: string; device: string };

describe.skipIf(chromiumMissing())('web app: the demo sign-in link', () => {
  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'xp2p-demo-web-'));
    demo = start([CLI, 'demo', '--port', '0', '--stun-port', '0', '--bridge-port', '0', '--data', data, '--quiet']);
    [, signInUrl] = (await demo.waitForLine(/^web: (\S+)/, 90_000)) as unknown as [string, string];
    const credentials = JSON.parse(readFileSync(join(data, 'dev-credentials.json'), 'utf8')) as {
      apps: { appSecretKey: string }[];
      devices: { secret: string }[];
    };
    secrets = { app: credentials.apps[0]!.appSecretKey, device: credentials.devices[0]!.secret };
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    rmSync(data, { recursive: true, force: true });
  });

  it('signs in through the printed link, plays demo/cam1, and no app secret reaches the page', async () => {
    expect(signInUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}#\/camera\/demo\/cam1$/);
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const loaded: { url: string; body: Promise<Buffer | undefined> }[] = [];
    page.on('response', (res) => loaded.push({ url: res.url(), body: res.body().catch(() => undefined) }));
    await page.goto(signInUrl);
    // signed in, on a clean URL: the token is gone from the address bar (and from history)
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/#\/camera\/demo\/cam1$/, { timeout: 15_000 });
    await expect.poll(async () => (await videoState(page, 'live')).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await videoState(page, 'live');
    await page.waitForTimeout(5_500);
    const later = await videoState(page, 'live');
    expect(later.frames - first.frames).toBeGreaterThan(5 * 10);
    expect(later.currentTime - first.currentTime).toBeGreaterThanOrEqual(4.5);
    expect(later.error).toBeUndefined();
    expect(await page.locator('[data-role=user]').innerText()).toBe('demo');

    const stored = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
    }));
    expect(stored.cookie).toBe(''); // the session cookie is HttpOnly
    for (const where of [stored.local, stored.session]) {
      expect(where).not.toContain(secrets.app);
      expect(where).not.toContain(secrets.device);
    }
    const cookies = await browser.context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['xp2p_session', true, 'Strict']]);

    // every file and API answer the page loaded, fetched again as it was served
    const urls = [...new Set(loaded.map((l) => l.url))];
    expect(urls.some((u) => u.endsWith('/app.js'))).toBe(true);
    expect(urls.some((u) => u.includes('/api/web/ticket'))).toBe(true);
    for (const l of loaded) {
      const body = (await l.body)?.toString('latin1') ?? '';
      expect(body.includes(secrets.app), l.url).toBe(false);
      expect(body.includes(secrets.device), l.url).toBe(false);
    }
    const origin = new URL(signInUrl).origin;
    for (const url of urls.filter((u) => u.startsWith(origin) && !u.includes('/api/'))) {
      const text = await (await fetch(url)).text();
      expect(text.includes(secrets.app), url).toBe(false);
    }
    expect((await fetch(`${origin}/dev-credentials.json`)).status).toBe(404);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('ignores ?server= pointing to another origin: every request stays on the page origin', async () => {
    const origin = new URL(signInUrl).origin;
    const page = await browser.context.newPage(); // signed in by the test above
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('websocket', (w) => requested.push(w.url()));
    await page.goto(`${origin}/?server=http://127.0.0.2:9/#/`);
    await page.locator('[data-role=cameras] li', { hasText: 'demo/cam1' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#server').innerText()).toBe(origin);
    const hosts = new Set(requested.filter((u) => !/^(data|blob):/.test(u)).map((u) => new URL(u).host));
    expect([...hosts]).toEqual([new URL(origin).host]);
    await page.close();
  });

  it('the link signs in once: opened again in another browser it is refused', async () => {
    const other = await launchBrowser();
    try {
      const page = await other.context.newPage();
      const res = await page.goto(signInUrl);
      expect(res?.status()).toBe(403);
      expect(await page.locator('body').innerText()).toMatch(/used already or has expired/);
      expect(await other.context.cookies()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
