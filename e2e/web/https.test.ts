/**
 * The web app over HTTPS, as a deployment serves it: the server on TLS (a certificate from a CA made here
 * by openssl) serves the app and WSS itself; the camera trusts the CA through NODE_EXTRA_CA_CERTS; Chromium
 * trusts exactly this certificate's key (--ignore-certificate-errors-spki-list), not every certificate.
 * What a user sees: the page is a secure origin, live video plays, "Hold to talk" gets the microphone (only
 * secure origins may) and the camera writes the voice, a command comes back, a 1vN room plays, and the
 * pages neither log an error nor make a single request that is not https:// or wss:// (a browser blocks
 * mixed content). A browser without the pin refuses the page: verification stays on.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa } from '@xp2p/testing';
import { CLI, start, stopAll } from '../helpers/processes.js';
import { chromiumMissing, launchBrowser, type TestBrowser } from './helpers/browser.js';
import { holdToTalk } from './helpers/hold-to-talk.js';
import { videoState, waitForFrames } from './helpers/page-probes.js';
import { startWebSystem, type WebSystem } from './helpers/web-system.js';

let certDir: string;
let caFile: string;
let certFile: string;
let ws: WebSystem;
let browser: TestBrowser;
let page: Page;
/** console errors and uncaught exceptions of the page */
const problems: string[] = [];
/** every URL the page asked for: HTTP(S) requests and WebSockets */
const requested: string[] = [];

/** Chromium's pin format: base64 of the SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
function spkiPin(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The status of an HTTPS GET that trusts only the test CA (this process was not started with it). */
function httpsStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca: readFileSync(caFile) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** A new page whose console errors, uncaught exceptions and requests are recorded. */
async function watchedPage(): Promise<Page> {
  const p = await browser.context.newPage();
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  p.on('request', (r) => requested.push(r.url()));
  p.on('websocket', (s) => requested.push(s.url()));
  return p;
}

describe.skipIf(chromiumMissing())('web app over HTTPS (server on TLS, private CA)', () => {
  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'xp2p-web-tls-'));
    const ca = makeTestCa(certDir);
    caFile = ca.caFile;
    const issued = ca.issue('server');
    certFile = issued.certFile;
    ws = await startWebSystem({ tls: { ...issued, caFile } });
    browser = await launchBrowser({ extraArgs: [`--ignore-certificate-errors-spki-list=${spkiPin(certFile)}`] });
    page = await watchedPage();
    await page.goto(ws.signInUrl); // the server's printed one-time link: signs in, opens demo/cam1
    await page.waitForURL(/\/#\/camera\/demo\/cam1$/, { timeout: 15_000 });
    // on failure say what the page logged (a blocked ws:// or http:// URL shows there as mixed content)
    await waitForFrames(page, 'live').catch((err: Error) => {
      throw new Error(`${err.message}\npage problems: ${JSON.stringify(problems)}`);
    });
  }, 40_000);
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await ws?.cleanup();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it('the page is an https secure origin and live video plays: frames grow for 3 s', async () => {
    expect(ws.pageUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await page.evaluate(() => [location.protocol, window.isSecureContext])).toEqual(['https:', true]);
    // the session cookie is Secure under TLS (and HttpOnly, SameSite=Strict as over http)
    expect((await browser.context.cookies()).map((c) => [c.name, c.secure, c.httpOnly, c.sameSite])).toEqual([
      ['xp2p_session', true, true, 'Strict'],
    ]);
    const first = await videoState(page, 'live');
    await page.waitForTimeout(3_000);
    const later = await videoState(page, 'live');
    expect(later.frames - first.frames).toBeGreaterThan(3 * 10);
    expect(later.currentTime - first.currentTime).toBeGreaterThanOrEqual(2.5);
    expect(later.error).toBeUndefined();
  });

  it('"Hold to talk" gets the microphone: the camera writes non-silent 16 kHz PCM about as long as the hold', async () => {
    const talk = await holdToTalk(page, 2_000, join(ws.work, 'voice'));
    expect(talk.sampleRate).toBe(16000);
    console.log(`https talk: held ${talk.heldS.toFixed(2)} s, wav ${talk.seconds.toFixed(2)} s, peak ${talk.peak}`);
    expect(talk.seconds).toBeGreaterThan(talk.heldS - 0.6);
    expect(talk.seconds).toBeLessThan(talk.heldS + 0.6);
    expect(talk.peak).toBeGreaterThan(1000);
  });

  it('a command round-trips: "Device status" shows the camera\'s answer', async () => {
    await page.locator('[data-tab=Commands]').click();
    await page.getByRole('button', { name: 'Device status' }).click();
    const output = page.locator('[data-role=command-output]');
    await expect.poll(() => output.innerText(), { timeout: 10_000 }).toMatch(/get_device_st[\s\S]*\n200 OK\n/);
    console.log(`https command: ${(await output.innerText()).replace(/\s+/g, ' ').slice(0, 160)}`);
  });

  it('a 1vN room published over HTTPS plays in two pages (origin over https, tracker over wss)', async () => {
    const publisher = start(
      [CLI, 'publish', 'secure', 'sample', '--server', ws.sys.serverUrl, '--data', ws.sys.dataDir],
      {
        env: { NODE_EXTRA_CA_CERTS: caFile },
      },
    );
    await publisher.waitForLine(/^publishing:/);
    // a room opened before the first keyframe chunk still plays, but its start request gets a 404 that
    // Chromium logs as an error: open it once the stream can start, as a user arriving later would
    await expect.poll(() => httpsStatus(`${ws.sys.serverUrl}/live/secure/start?lead=0`), { timeout: 10_000 }).toBe(200);
    const rooms = [await watchedPage(), await watchedPage()];
    for (const room of rooms) await room.goto(`${ws.pageUrl}#/room/secure`);
    for (const room of rooms) {
      await expect.poll(async () => (await videoState(room, 'room')).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    }
    const before = await Promise.all(rooms.map((r) => videoState(r, 'room')));
    await page.waitForTimeout(3_000);
    const after = await Promise.all(rooms.map((r) => videoState(r, 'room')));
    for (const [i, a] of after.entries()) {
      expect(a.frames - before[i]!.frames, `room page ${i} frames`).toBeGreaterThan(3 * 10);
      expect(a.error, `room page ${i} video error`).toBeUndefined();
    }
    for (const room of rooms) await room.close();
    await publisher.kill();
  });

  it('a browser without the pin refuses the page: the certificate is checked, not ignored', async () => {
    const plain = await launchBrowser();
    try {
      const p = await plain.context.newPage();
      await expect(p.goto(ws.pageUrl)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await plain.close();
    }
  });

  it('every request of the pages was https:// or wss:// to their own origin, and nothing logged an error', () => {
    const origin = new URL(ws.pageUrl).host;
    const network = requested.filter((u) => !/^(blob|data):/.test(u));
    console.log(
      `https requests: ${network.length}, e.g. ${[...new Set(network.map((u) => u.split('?')[0]))].join(' ')}`,
    );
    expect(network.some((u) => u.startsWith('wss://'))).toBe(true); // the signalling WebSocket was seen
    expect(network.filter((u) => !/^(https|wss):\/\//.test(u) || new URL(u).host !== origin)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
