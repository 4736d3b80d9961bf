/**
 * What a person sees when things go wrong: a refused sign-in, an offline camera, a refused microphone.
 * Each shows a readable message (with the guide's code where there is one), never a silent failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { signInByLink, signInWithForm, startWebSystem, type WebSystem } from './helpers/web-system.js';

let ws: WebSystem;
let browser: TestBrowser;

describe.skipIf(chromiumMissing())('web app: error messages', () => {
  beforeAll(async () => {
    ws = await startWebSystem({ startCamera: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
  });

  it('a wrong password: sign-in says so (the same words as for an unknown user), and stays on the form', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${ws.pageUrl}#/signin`);
    const message = page.locator('[data-role=signin-message]');
    const attempt = async (name: string) => {
      await page.locator('input[name=name]').fill(name);
      await page.locator('input[name=password]').fill('not-the-password');
      await page.locator('form.signin button[type=submit]').click();
      await expect.poll(() => message.getAttribute('class')).toContain('error');
      const text = await message.innerText();
      await page.evaluate(() => document.querySelector('[data-role=signin-message]')!.setAttribute('class', ''));
      return text;
    };
    const wrong = await attempt(ws.demoUser.name);
    expect(wrong).toMatch(/wrong user name or password \(HTTP 401\)/);
    expect(await attempt('nobody-here')).toBe(wrong);
    expect(page.url()).toMatch(/#\/signin$/);
    expect(await browser.context.cookies()).toEqual([]);
    await page.close();
  });

  it('a browser without WebRTC: sign-in says p2p is not supported here, with the guide code -2404', async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
    });
    await page.goto(`${ws.pageUrl}#/signin`);
    await page.locator('input[name=name]').fill(ws.demoUser.name);
    await page.locator('input[name=password]').fill(ws.demoUser.password);
    await page.locator('form.signin button[type=submit]').click();
    const message = page.locator('[data-role=signin-message]');
    await expect.poll(() => message.getAttribute('class'), { timeout: 10_000 }).toContain('error');
    expect(await message.innerText()).toMatch(/-2404.*not supported/);
    await page.close();
  });

  it('offline camera: the list says offline, and opening it says the camera is offline', async () => {
    const page = await signInByLink(browser.context, ws); // the printed link: opens demo/cam1
    const alert = page.locator('.live [role=alert]');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.innerText()).toMatch(/camera is offline/i);
    expect(await page.locator('[data-role=live-stats]').innerText()).toBe('Not connected');
    await page.locator('a', { hasText: 'Cameras' }).click();
    const item = page.locator('[data-role=cameras] li', { hasText: 'demo/cam1' });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.innerText()).toMatch(/offline/);
    await page.close();
  });

  it('a sign-in that ends while the page is open: back to the form, which says so', async () => {
    const other = await launchBrowser();
    try {
      await signInWithForm(other.context, ws);
      const page = await other.context.newPage();
      await page.goto(`${ws.pageUrl}#/`);
      await page.locator('[data-role=cameras] li', { hasText: 'demo/cam1' }).waitFor({ timeout: 10_000 });
      await other.context.clearCookies(); // as when the session expires
      const message = page.locator('[data-role=signin-message]');
      // the camera list's next refresh (every 5 s) finds the session gone
      await expect.poll(() => message.innerText(), { timeout: 15_000 }).toBe('Your sign-in has ended: sign in again.');
      expect(page.url()).toMatch(/#\/signin$/);
      expect(await page.locator('[data-role=sign-out]').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('refused microphone: holding talk says permission was denied, with the talkback code', async () => {
    const noMic = await launchBrowser({ without: ['--use-fake-ui-for-media-stream'] });
    try {
      await signInWithForm(noMic.context, ws);
      const page = await noMic.context.newPage();
      await page.goto(`${ws.pageUrl}#/camera/demo/cam1`);
      const talk = page.locator('[data-role=talk]');
      await talk.hover();
      await page.mouse.down();
      const message = page.locator('.talk-row [role=alert]');
      await message.waitFor({ timeout: 10_000 });
      await page.mouse.up();
      expect(await message.innerText()).toMatch(/Microphone permission denied.*\(-2601\)/);
    } finally {
      await noMic.close();
    }
  });
});
