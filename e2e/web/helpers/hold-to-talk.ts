/** Holds the page's "Hold to talk" button and reads back what the camera wrote (its voice directory). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '@xp2p/sdk/node';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface TalkResult {
  /** how long the button was held (s) */
  heldS: number;
  sampleRate: number;
  /** length of the PCM the camera wrote (s) */
  seconds: number;
  peak: number;
  rms: number;
}

export async function holdToTalk(page: Page, holdMs: number, voiceDir: string): Promise<TalkResult> {
  const status = page.locator('[data-role=talk-status]');
  await page.locator('[data-role=talk]').hover();
  await page.mouse.down();
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 10_000 }).toBe('talking');
  const heldFrom = Date.now();
  await page.waitForTimeout(holdMs);
  await page.mouse.up();
  const heldS = (Date.now() - heldFrom) / 1000;
  await expect.poll(() => status.getAttribute('data-state')).toBe('stopped');
  await expect.poll(() => (existsSync(voiceDir) ? readdirSync(voiceDir).length : 0), { timeout: 10_000 }).toBe(1);
  const wavPath = join(voiceDir, readdirSync(voiceDir)[0]!);
  // the camera finishes the file when the upstream ends: wait until it holds samples
  await expect
    .poll(() => parseWav(new Uint8Array(readFileSync(wavPath))).pcm.byteLength, { timeout: 5_000 })
    .toBeGreaterThan(0);
  const wav = parseWav(new Uint8Array(readFileSync(wavPath)));
  const samples = new Int16Array(wav.pcm.buffer, wav.pcm.byteOffset, wav.pcm.byteLength >> 1);
  let sumSquares = 0;
  let peak = 0;
  for (const s of samples) {
    sumSquares += s * s;
    peak = Math.max(peak, Math.abs(s));
  }
  return {
    heldS,
    sampleRate: wav.sampleRate,
    seconds: samples.length / wav.sampleRate,
    peak,
    rms: Math.sqrt(sumSquares / samples.length),
  };
}
