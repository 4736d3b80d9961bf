/** A live source backed by an ffmpeg child process writing FLV to its stdout. */
import { spawn, type ChildProcess } from 'node:child_process';
import { FlvDemuxer } from '@xp2p/protocol';
import { ffmpegArgs, TESTSRC_INPUT, type FfmpegArgsOptions } from './ffmpeg-args.js';
import type { MediaSink, MediaSource } from './media-source.js';
import { DEVICE_DEFAULTS } from '../defaults.js';

export interface FfmpegSourceOptions extends FfmpegArgsOptions {
  /** The ffmpeg binary. Default "ffmpeg" (looked up on PATH). */
  ffmpegPath?: string;
  /** How long stop() waits after SIGTERM before SIGKILL. Default DEVICE_DEFAULTS.sourceKillTimeoutMs. */
  killTimeoutMs?: number;
}

/** Enough of ffmpeg's stderr to explain a failure without keeping an endless log in memory. */
const STDERR_TAIL_BYTES = 4096;

export class FfmpegSource implements MediaSource {
  readonly description: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly input: string,
    private readonly options: FfmpegSourceOptions = {},
  ) {
    this.description = input === TESTSRC_INPUT ? 'ffmpeg test pattern' : `ffmpeg ${input}`;
  }

  /** The full command line, for logs. */
  get args(): string[] {
    return ffmpegArgs(this.input, this.options);
  }

  start(sink: MediaSink): void {
    if (this.child) throw new Error('FfmpegSource already started');
    const bin = this.options.ffmpegPath ?? 'ffmpeg';
    const child = spawn(bin, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;

    let ended = false;
    const end = (error?: Error): void => {
      if (ended || this.stopping) return;
      ended = true;
      sink.onEnd(error);
    };

    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });

    const demuxer = new FlvDemuxer();
    child.stdout?.on('data', (chunk: Buffer) => {
      if (ended || this.stopping) return;
      try {
        for (const tag of demuxer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
          sink.onTag(tag);
          if (ended || this.stopping) return;
        }
      } catch (err) {
        end(new Error(`ffmpeg produced invalid FLV: ${(err as Error).message}`, { cause: err }));
        child.kill('SIGKILL');
      }
    });

    this.exited = new Promise<void>((resolve) => {
      // 'error' without 'close' happens when the binary cannot be spawned at all.
      child.once('error', (err: NodeJS.ErrnoException) => {
        const why =
          err.code === 'ENOENT'
            ? `ffmpeg not found at "${bin}" (install ffmpeg or set ffmpegPath)`
            : `could not run ffmpeg ("${bin}"): ${err.message}`;
        end(new Error(why, { cause: err }));
        if (child.pid === undefined) resolve();
      });
      child.once('close', (code, signal) => {
        if (code === 0) end();
        else {
          const detail = stderrTail.trim() ? `: ${stderrTail.trim()}` : '';
          end(new Error(`ffmpeg exited with ${signal ?? `code ${code}`}${detail}`));
        }
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      return this.exited;
    }
    // SIGTERM lets ffmpeg close its inputs cleanly (e.g. an RTSP session); SIGKILL if it hangs.
    child.kill('SIGTERM');
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      this.options.killTimeoutMs ?? DEVICE_DEFAULTS.sourceKillTimeoutMs,
    );
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
