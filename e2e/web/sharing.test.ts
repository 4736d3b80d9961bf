/**
 * The owners' sharing page, with real processes and Chromium: an operator adds a user (`xp2p user add`,
 * password on stdin); the demo user, owner of demo/cam1, shares it with that user as a viewer from the web
 * app; the new user signs in in another browser, sees the camera with the role viewer and plays it; the
 * camera's audit page shows the share, the new user's sign-in and the xp2pInfo issued to them; after the
 * owner removes the share the user's camera list is empty and a fresh xp2pInfo is refused.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { videoState } from './helpers/page-probes.js';
import { signInByLink, signInWithForm, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let owner: TestBrowser;
let guest: TestBrowser;
const vera = { name: 'vera', password: 'vera-password-1' };

describe.skipIf(chromiumMissing())('web app: sharing a camera and its audit log', () => {
  beforeAll(async () => {
    ws = await startWebSystem();
    execFileSync(
      process.execPath,
      [CLI, 'user', 'add', vera.name, '--app', ws.sys.appParams.appid, '--data', ws.sys.dataDir],
      {
        input: `${vera.password}\n`,
      },
    );
    owner = await launchBrowser();
    guest = await launchBrowser();
  });
  afterAll(async () => {
    await owner?.close();
    await guest?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('an owner shares with a viewer, who plays; the audit page shows it; unsharing takes it away', async () => {
    const page = await signInByLink(owner.context, ws);
    await page.locator('[data-role=sharing-link]').click();
    await page.waitForURL(/#\/sharing\/demo\/cam1$/);
    const shares = page.locator('[data-role=shares] li');
    await expect.poll(() => shares.allInnerTexts()).toEqual([expect.stringMatching(/^demo\s*owner$/)]);
    const form = page.locator('[data-role=share-form]');
    await form.locator('input[name=user]').fill(vera.name);
    await form.locator('select[name=role]').selectOption('viewer');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => shares.allInnerTexts()).toHaveLength(2);
    expect(await page.locator('[data-role=shares] li[data-user=vera]').innerText()).toMatch(/vera\s*viewer/);

    // sharing with a user who does not exist says so, and changes nothing
    await form.locator('input[name=user]').fill('nobody');
    await form.locator('button[type=submit]').click();
    const message = page.locator('[data-role=sharing-message]');
    await expect.poll(() => message.innerText()).toBe('Share with nobody: no user nobody in this app (HTTP 404)');
    expect(await shares.count()).toBe(2);

    // the guest: signs in with name and password, sees the camera as a viewer, and plays it
    await signInWithForm(guest.context, ws, vera);
    const view = await guest.context.newPage();
    await view.goto(ws.pageUrl);
    const item = view.locator('[data-role=cameras] li', { hasText: 'demo/cam1' });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.locator('[data-role=camera-role]').innerText()).toBe('viewer');
    expect(await item.locator('a.sharing').count()).toBe(0); // not an owner
    await item.locator('a').first().click();
    await expect.poll(async () => (await videoState(view, 'live')).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await view.locator('[data-role=sharing-link]').count()).toBe(0);

    // the owner's audit log: the share, vera's sign-in and the xp2pInfo she was given
    await page.reload();
    const audit = page.locator('[data-role=audit] tr');
    await expect
      .poll(async () => (await audit.allInnerTexts()).join('\n'), { timeout: 10_000 })
      .toMatch(/vera\s+xp2pinfo\s+viewer/);
    const log = (await audit.allInnerTexts()).join('\n');
    expect(log).toMatch(/demo\s+share\s+vera as viewer/);

    // unshare: her list is empty and a new xp2pInfo is refused
    await page.locator('[data-role=shares] li[data-user=vera] [data-role=unshare]').click();
    await expect.poll(() => shares.count()).toBe(1);
    await view.goto(`${ws.pageUrl}#/`);
    await expect
      .poll(() => view.locator('[data-role=cameras] li').allInnerTexts(), { timeout: 10_000 })
      .toEqual(['No camera is shared with you yet.']);
    const refused = await view.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/web/session')).json()) as { csrf: string };
      const res = await fetch('/api/web/xp2pinfo', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xp2p-csrf': csrf },
        body: JSON.stringify({ productId: 'demo', deviceName: 'cam1' }),
      });
      return res.status;
    });
    expect(refused).toBe(404);
  });
});
