/**
 * RecorderManagers for Node, so talkback works from a program: one plays a WAV file, the other any
 * ffmpeg audio input, both as PCM frames in real time (like a microphone would deliver them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { RecorderManager, RecorderStartOptions } from '../one-to-one/requests/recorder.js';

type Listener<A extends unknown[]> = ((...args: A) => void) | undefined;

abstract class EventedRecorder implements RecorderManager {
  protected startCb: Listener<[]>;
  protected pauseCb: Listener<[]>;
  protected resumeCb: Listener<[]>;
  protected stopCb: Listener<[{ tempFilePath?: string }?]>;
  protected frameCb: Listener<[{ frameBuffer: ArrayBuffer; isLastFrame?: boolean }]>;
  protected errorCb: Listener<[{ errMsg: string }]>;
  abstract start(options: RecorderStartOptions): void;
  abstract stop(): void;
  abstract pause(): void;
  abstract resume(): void;
  onStart(cb: () => void) {
    this.startCb = cb;
  }
  onPause(cb: () => void) {
    this.pauseCb = cb;
  }
  onResume(cb: () => void) {
    this.resumeCb = cb;
  }
  onStop(cb: (res?: { tempFilePath?: string }) => void) {
    this.stopCb = cb;
  }
  onFrameRecorded(cb: (res: { frameBuffer: ArrayBuffer; isLastFrame?: boolean }) => void) {
    this.frameCb = cb;
  }
  onError(cb: (res: { errMsg: string }) => void) {
    this.errorCb = cb;
  }
}

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** the PCM samples (little-endian) */
  pcm: Uint8Array;
}

/** Reads a PCM WAV file (RIFF/WAVE, format 1). */
export function parseWav(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let o = 12;
  let fmt: { channels: number; sampleRate: number; bits: number } | undefined;
  while (o + 8 <= bytes.byteLength) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    if (id === 'fmt ') {
      // a PCM fmt chunk is 16 bytes; fewer (a cut or hostile file) would read past the end
      if (size < 16 || o + 8 + 16 > bytes.byteLength) throw new Error('WAV fmt chunk is cut short');
      if (view.getUint16(o + 8, true) !== 1) throw new Error('WAV is not PCM');
      fmt = {
        channels: view.getUint16(o + 10, true),
        sampleRate: view.getUint32(o + 12, true),
        bits: view.getUint16(o + 22, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data before fmt');
      const end = Math.min(bytes.byteLength, o + 8 + size);
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bits,
        pcm: bytes.subarray(o + 8, end),
      };
    }
    o += 8 + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** Plays a WAV file's PCM as recorder frames, paced in real time; stops by itself at the end. */
export class WavFileRecorder extends EventedRecorder {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private stopped = false;

  constructor(
    private readonly path: string,
    /** frame length in ms (the mini-program's frameSize is in KB; 20–40 ms is usual for talk) */
    private readonly frameMs = 40,
  ) {
    super();
  }

  /** The WAV's own format, to pass to startVoiceService's options. */
  static async formatOf(path: string): Promise<{ sampleRate: number; numberOfChannels: number }> {
    const wav = parseWav(new Uint8Array(await readFile(path)));
    return { sampleRate: wav.sampleRate, numberOfChannels: wav.channels };
  }

  start(): void {
    readFile(this.path).then(
      (bytes) => {
        const wav = parseWav(new Uint8Array(bytes));
        if (wav.bitsPerSample !== 16) throw new Error('talkback needs 16-bit PCM');
        const frameBytes = Math.max(
          2 * wav.channels,
          Math.round((wav.sampleRate * this.frameMs) / 1000) * 2 * wav.channels,
        );
        const started = performance.now();
        let offset = 0;
        let frames = 0;
        this.startCb?.();
        const tick = () => {
          if (this.stopped) return;
          if (!this.paused) {
            // send every frame that is due by now: drift-free pacing against the start time
            while (offset < wav.pcm.byteLength && frames * this.frameMs <= performance.now() - started) {
              const frame = wav.pcm.slice(offset, offset + frameBytes);
              offset += frameBytes;
              frames++;
              this.frameCb?.({ frameBuffer: frame.buffer, isLastFrame: offset >= wav.pcm.byteLength });
            }
            if (offset >= wav.pcm.byteLength) return this.stop();
          }
          this.timer = setTimeout(tick, this.frameMs / 2);
        };
        tick();
      },
      (err: unknown) => this.errorCb?.({ errMsg: err instanceof Error ? err.message : String(err) }),
    );
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopCb?.({});
  }

  pause(): void {
    this.paused = true;
    this.pauseCb?.();
  }

  resume(): void {
    this.paused = false;
    this.resumeCb?.();
  }
}

/** Any ffmpeg audio input (a file, a device such as `-f alsa default`, a URL) as 16-bit PCM frames. */
export class FfmpegRecorder extends EventedRecorder {
  private child: ChildProcess | undefined;
  private paused = false;

  constructor(
    private readonly inputArgs: string[],
    private readonly ffmpegPath = 'ffmpeg',
  ) {
    super();
  }

  start(options: RecorderStartOptions): void {
    const args = ['-v', 'error', '-re', ...this.inputArgs, '-f', 's16le', '-acodec', 'pcm_s16le'];
    args.push('-ar', String(options.sampleRate ?? 16000), '-ac', String(options.numberOfChannels ?? 1), 'pipe:1');
    const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.once('spawn', () => this.startCb?.());
    child.once('error', (err) => this.errorCb?.({ errMsg: `ffmpeg: ${err.message}` }));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!this.paused) this.frameCb?.({ frameBuffer: new Uint8Array(chunk).slice().buffer });
    });
    child.once('exit', (code) => {
      this.child = undefined;
      // ffmpeg read its input to the end (a file): the last frame, so the talk ends instead of restarting it
      if (code === 0) this.frameCb?.({ frameBuffer: new ArrayBuffer(0), isLastFrame: true });
      this.stopCb?.({});
    });
  }

  stop(): void {
    this.child?.kill('SIGTERM');
  }

  pause(): void {
    this.paused = true;
    this.pauseCb?.();
  }

  resume(): void {
    this.paused = false;
    this.resumeCb?.();
  }
}
