/**
 * Debian's chromium (scripts/setup-browser.sh installs it) driven by playwright-core, set up for loopback
 * WebRTC: fake camera and microphone, no permission prompts, autoplay allowed, loopback ICE candidates
 * (not mDNS names), and no background traffic leaving the machine. A fresh profile per launch.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface LaunchOptions {
  executablePath?: string;
  extraArgs?: string[];
  /** Leave out these default flags (e.g. the fake permission UI, to see a refused microphone). */
  without?: string[];
}

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export function chromiumMissing(path = CHROMIUM): string | undefined {
  return existsSync(path) ? undefined : `${path} is missing: run scripts/setup-browser.sh`;
}

export async function launchChromium(o: LaunchOptions = {}): Promise<LaunchedChromium> {
  // loaded here, not at the top: webRoot() users (the server, the demo) never need playwright
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'xp2p-chromium-'));
  try {
    // launchPersistentContext passes the profile as --user-data-dir (playwright refuses it in args)
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: o.executablePath ?? CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS.filter((a) => !o.without?.includes(a)), ...(o.extraArgs ?? [])],
      acceptDownloads: true,
      viewport: { width: 390, height: 844 }, // phone width: the app must work there
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
