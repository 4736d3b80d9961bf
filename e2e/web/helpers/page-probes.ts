/** What tests read from the page's <video> elements (by their data-role: live, playback). */
import type { Page } from 'playwright-core';

export interface VideoState {
  frames: number;
  currentTime: number;
  readyState: number;
  paused: boolean;
  error: string | undefined;
}

export function videoState(page: Page, role: string): Promise<VideoState> {
  return page.evaluate((r) => {
    const v = document.querySelector<HTMLVideoElement>(`video[data-role=${r}]`);
    if (!v) return { frames: 0, currentTime: 0, readyState: 0, paused: true, error: 'no video element' };
    return {
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      currentTime: v.currentTime,
      readyState: v.readyState,
      paused: v.paused,
      error: v.error ? `${v.error.code} ${v.error.message}` : undefined,
    };
  }, role);
}

/** Waits until the <video> has shown a frame (usable in hooks, where expect.poll is not). */
export async function waitForFrames(page: Page, role: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(
    (r) =>
      (document.querySelector<HTMLVideoElement>(`video[data-role=${r}]`)?.getVideoPlaybackQuality().totalVideoFrames ??
        0) > 0,
    role,
    { timeout: timeoutMs },
  );
}
