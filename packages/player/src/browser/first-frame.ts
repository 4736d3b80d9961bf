/**
 * When the first video frame is on screen. `requestVideoFrameCallback` fires when a frame is presented
 * (Chromium, Safari); elsewhere the first `timeupdate` after data is the nearest observable moment.
 */
export function whenFirstFrame(video: HTMLVideoElement): Promise<number> {
  return new Promise((resolve) => {
    const v = video as HTMLVideoElement & {
      requestVideoFrameCallback?: (cb: (now: number) => void) => number;
    };
    if (typeof v.requestVideoFrameCallback === 'function') {
      v.requestVideoFrameCallback(() => resolve(performance.now()));
      return;
    }
    const onTime = () => {
      if (video.readyState >= 2 /* HAVE_CURRENT_DATA */) {
        video.removeEventListener('timeupdate', onTime);
        resolve(performance.now());
      }
    };
    video.addEventListener('timeupdate', onTime);
  });
}
