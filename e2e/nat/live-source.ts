/** A live source the way a busy camera sends it, for lab tests and the lab bench. */
import { execFileSync } from 'node:child_process';

/** its bit rate, audio included */
export const LIVE_SOURCE_KBPS = 2000;

/**
 * Writes a 10 s FLV (the camera loops it) at a constant LIVE_SOURCE_KBPS: 640x360 25 fps H.264, a keyframe
 * every 2 s, AAC; noise keeps the encoder from undershooting.
 */
export function makeLiveSource(path: string): void {
  const videoKbps = LIVE_SOURCE_KBPS - 64;
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
    ...['-vf', 'noise=alls=40:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50'],
    ...['-b:v', `${videoKbps}k`, '-maxrate', `${videoKbps}k`, '-minrate', `${videoKbps}k`, '-bufsize', '500k'],
    ...['-x264-params', 'nal-hrd=cbr', '-c:a', 'aac', '-b:a', '64k', '-t', '10', '-f', 'flv', path],
  ]);
}
