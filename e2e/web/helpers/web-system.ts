/**
 * The whole system for a browser test: `xp2p server` and `xp2p device` as processes (e2e/helpers); the
 * server serves a private copy of the built web app itself (`--web-root`), over HTTPS + WSS with `tls`
 * (the server and camera then trust the test CA through NODE_EXTRA_CA_CERTS). On its fresh data directory
 * the server makes the demo web user (owner of demo/cam1) and prints a one-time `web:` sign-in link: the
 * tests sign in through it, as a person running `npm start` does. No app secret is written near the app.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { webAppBuilt, webRoot } from '@xp2p/web';
import { startSystem, type TestSystem } from '../../helpers/system.js';
import type { RunningProcess } from '../../helpers/processes.js';

export interface WebSystem {
  sys: TestSystem;
  camera: RunningProcess | undefined;
  /** where the app is served: the server itself */
  web: { url: string };
  /** The app's page (a browser must be signed in first: signInByLink or signInWithForm). */
  pageUrl: string;
  /** The one-time link the server printed on its `web:` line (signs in as demo, opens demo/cam1). */
  signInUrl: string;
  /** The demo web user and its password (the data directory's dev-credentials.json). */
  demoUser: { name: string; password: string };
  /** Work directory: web/ (the served app), recordings/, voice/ of the camera. */
  work: string;
  cleanup(): Promise<void>;
}

export interface WebSystemOptions {
  cameraArgs?: string[];
  /** false: the camera stays offline */
  startCamera?: boolean;
  /** Files put in the camera's store before it starts (downloadable as file_type=1). */
  files?: Record<string, Uint8Array>;
  /** Serve over HTTPS with this certificate (for 127.0.0.1) issued by the CA in `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export async function startWebSystem(o: WebSystemOptions = {}): Promise<WebSystem> {
  if (!webAppBuilt()) throw new Error('the web app is not built: npm run build -w packages/web');
  const work = mkdtempSync(join(tmpdir(), 'xp2p-web-'));
  const root = join(work, 'web');
  cpSync(webRoot(), root, { recursive: true });
  mkdirSync(join(work, 'recordings'), { recursive: true });
  for (const [name, bytes] of Object.entries(o.files ?? {})) writeFileSync(join(work, 'recordings', name), bytes);
  const sys = await startSystem({
    serverArgs: [...(o.tls ? ['--tls-cert', o.tls.certFile, '--tls-key', o.tls.keyFile] : []), '--web-root', root],
    ...(o.tls ? { env: { NODE_EXTRA_CA_CERTS: o.tls.caFile } } : {}),
  });
  const [, signInUrl] = await sys.server.waitForLine(/^web: (\S+)/, 30_000);
  const credentials = JSON.parse(readFileSync(join(sys.dataDir, 'dev-credentials.json'), 'utf8')) as {
    users?: { name: string; password: string }[];
  };
  const demoUser = credentials.users?.find((u) => u.name === 'demo');
  if (!demoUser) throw new Error('the server made no demo web user');
  const camera =
    o.startCamera === false
      ? undefined
      : await sys.startDevice([
          '--recordings',
          join(work, 'recordings'),
          '--segment-seconds',
          '2',
          '--voice-dir',
          join(work, 'voice'),
          ...(o.cameraArgs ?? []),
        ]);
  return {
    sys,
    camera,
    web: { url: sys.serverUrl },
    pageUrl: `${sys.serverUrl}/`,
    signInUrl: signInUrl!,
    demoUser,
    work,
    async cleanup() {
      sys.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Opens the printed one-time link in a new page: signed in, it lands on demo/cam1. Once per system. */
export async function signInByLink(context: BrowserContext, ws: WebSystem): Promise<Page> {
  const page = await context.newPage();
  await page.goto(ws.signInUrl);
  await page.waitForURL(/\/#\/camera\/demo\/cam1$/, { timeout: 15_000 });
  return page;
}

/** Signs a browser context in through the form (name and password), as a person typing them does. */
export async function signInWithForm(
  context: BrowserContext,
  ws: WebSystem,
  user: { name: string; password: string } = ws.demoUser,
): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${ws.pageUrl}#/signin`);
  await page.locator('input[name=name]').fill(user.name);
  await page.locator('input[name=password]').fill(user.password);
  await page.locator('form.signin button[type=submit]').click();
  await page.locator('[data-role=sign-out]').waitFor({ timeout: 15_000 });
  await page.close();
}
