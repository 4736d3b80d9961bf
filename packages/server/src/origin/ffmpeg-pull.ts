/**
 * Pulls a source that is not HTTP-FLV (RTMP, RTSP, HLS, anything ffmpeg reads) into a publisher: ffmpeg
 * copies the streams into FLV on its stdout, and the tags go to the publisher as they come.
 */
import { spawn } from 'node:child_process';
import { FlvDemuxer } from '@xp2p/protocol';
import type { Publisher } from './origin.js';
import { UpstreamError, type PullHandle, type PullResult } from './pull.js';

/** Enough of ffmpeg's stderr to say why it failed. */
const STDERR_TAIL_BYTES = 2048;

export function ffmpegPullArgs(url: string): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    // RTSP over its TCP connection: no UDP ports, and a source that goes away ends the pull at once
    ...(/^rtsps?:\/\//i.test(url) ? ['-rtsp_transport', 'tcp'] : []),
    ...['-i', url, '-map', '0:v:0?', '-map', '0:a:0?', '-c', 'copy'],
    ...['-flvflags', 'no_duration_filesize', '-f', 'flv', 'pipe:1'],
  ];
}

export function pullWithFfmpeg(
  url: string,
  open: () => Publisher,
  maxTagBytes: number,
  /** killTimeoutMs: after SIGTERM (which lets ffmpeg close an RTSP or RTMP session cleanly), SIGKILL after this long */
  options: { killTimeoutMs: number; ffmpegPath?: string },
): PullHandle {
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  let stopped = false;
  const child = spawn(ffmpegPath, ffmpegPullArgs(url), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => void (stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES)));
  let publisher: Publisher | undefined;
  let failure: Error | undefined;
  const demuxer = new FlvDemuxer({ maxTagBytes });
  child.stdout.on('data', (bytes: Buffer) => {
    if (failure) return;
    try {
      const tags = demuxer.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (!publisher && demuxer.header) {
        publisher = open();
        publisher.setHeader(demuxer.header);
      }
      for (const tag of tags) publisher?.push(tag);
      if (publisher?.ended) child.kill('SIGTERM');
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      child.kill('SIGKILL');
    }
  });
  const done = new Promise<PullResult>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      failure ??= new UpstreamError(
        err.code === 'ENOENT' ? `ffmpeg not found ("${ffmpegPath}"): install ffmpeg to pull ${url}` : err.message,
      );
    });
    child.once('close', (code) => {
      publisher?.end();
      if (stopped) resolve({ reason: 'stopped' });
      else if (failure) resolve({ reason: 'error', error: failure });
      else if (code === 0) resolve({ reason: 'eof' });
      else resolve({ reason: 'error', error: new UpstreamError(`ffmpeg exited with ${code}: ${stderrTail.trim()}`) });
    });
  });
  return {
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), options.killTimeoutMs);
      void done.finally(() => clearTimeout(timer));
    },
  };
}
