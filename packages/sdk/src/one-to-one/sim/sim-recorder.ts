/**
 * A microphone for the simulator: the guide's RecorderManager shape (requests/recorder.ts), delivering
 * 16-bit PCM frames every `frameMs` of virtual time while started, as an app's recorder would. Like the
 * mini-program's, it stops on its own after `stopAfterMs` of recording (10 minutes there), and the system
 * can interrupt it (`interrupt()` / `endInterruption()`: a phone call takes the microphone).
 */
import type { RecorderManager, RecorderStartOptions } from '../requests/recorder.js';
import type { VirtualTime } from './virtual-time.js';

export class SimRecorder implements RecorderManager {
  private running = false;
  private paused = false;
  private readonly cb: {
    start?: () => void;
    interruptionBegin?: () => void;
    interruptionEnd?: () => void;
    pause?: () => void;
    resume?: () => void;
    stop?: () => void;
    frame?: (res: { frameBuffer: ArrayBuffer }) => void;
    error?: (res: { errMsg: string }) => void;
  } = {};

  constructor(
    private readonly clock: VirtualTime,
    private readonly frameMs = 20,
    private readonly stopAfterMs = Infinity,
  ) {}

  /** how many times it was started (a restart after it stopped on its own counts) */
  starts = 0;
  /** frames delivered while not paused */
  framesDelivered = 0;

  /** whether frames are flowing (tests check a stopped talk stopped its microphone) */
  get isRunning(): boolean {
    return this.running;
  }

  start(options: RecorderStartOptions): void {
    if (this.running) return;
    this.running = true;
    this.starts++;
    const run = this.starts;
    const bytes = ((options.sampleRate ?? 16000) * (options.numberOfChannels ?? 1) * 2 * this.frameMs) / 1000;
    const tick = () => {
      if (!this.running || this.starts !== run) return; // stopped, or this tick belongs to an earlier run
      if (!this.paused) {
        this.framesDelivered++;
        this.cb.frame?.({ frameBuffer: new ArrayBuffer(bytes) });
      }
      this.clock.later(tick, this.frameMs);
    };
    this.cb.start?.();
    this.clock.later(tick, this.frameMs);
    if (Number.isFinite(this.stopAfterMs)) {
      this.clock.later(() => {
        if (this.starts === run) this.stop(); // its maximum duration: it stops on its own
      }, this.stopAfterMs);
    }
  }

  /** The system takes the microphone (a phone call). */
  interrupt(): void {
    this.cb.interruptionBegin?.();
  }

  /** The system gives the microphone back. */
  endInterruption(): void {
    this.cb.interruptionEnd?.();
  }

  onInterruptionBegin(cb: () => void): void {
    this.cb.interruptionBegin = cb;
  }
  onInterruptionEnd(cb: () => void): void {
    this.cb.interruptionEnd = cb;
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.cb.stop?.();
  }

  pause(): void {
    this.paused = true;
    this.cb.pause?.();
  }

  resume(): void {
    this.paused = false;
    this.cb.resume?.();
  }

  onStart(cb: () => void): void {
    this.cb.start = cb;
  }
  onPause(cb: () => void): void {
    this.cb.pause = cb;
  }
  onResume(cb: () => void): void {
    this.cb.resume = cb;
  }
  onStop(cb: () => void): void {
    this.cb.stop = cb;
  }
  onFrameRecorded(cb: (res: { frameBuffer: ArrayBuffer }) => void): void {
    this.cb.frame = cb;
  }
  onError(cb: (res: { errMsg: string }) => void): void {
    this.cb.error = cb;
  }
}
