/**
 * The microphone as the mini-program's RecorderManager, which startVoiceService drives: getUserMedia →
 * AudioWorklet → 16-bit PCM frames through onFrameRecorded. Everything that needs a user gesture or a
 * permission (the microphone, the AudioContext) happens in `open()`, called from the button press;
 * `start()`, which the sdk calls once the camera accepts, only begins handing frames over.
 */
import type { RecorderManager, RecorderStartOptions } from '@xp2p/sdk/browser';
import { PCM_WORKLET_NAME, PCM_WORKLET_SOURCE } from './pcm-worklet-source.js';

type Listener<A extends unknown[] = []> = (...args: A) => void;

export class BrowserPcmRecorder implements RecorderManager {
  private emitting = false;
  private paused = false;
  private closed = false;
  /** PCM bytes handed to the sdk so far */
  bytes = 0;
  private readonly listeners = {
    start: [] as Listener[],
    pause: [] as Listener[],
    resume: [] as Listener[],
    stop: [] as Listener<[{ tempFilePath?: string }?]>[],
    frame: [] as Listener<[{ frameBuffer: ArrayBuffer; isLastFrame?: boolean }]>[],
    error: [] as Listener<[{ errMsg: string }]>[],
  };

  private constructor(
    private readonly stream: MediaStream,
    private readonly context: AudioContext,
    private readonly node: AudioWorkletNode,
    readonly sampleRate: number,
  ) {
    node.port.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
      if (!this.emitting || this.paused) return;
      this.bytes += ev.data.byteLength;
      for (const cb of this.listeners.frame) cb({ frameBuffer: ev.data });
    };
    for (const track of stream.getAudioTracks()) {
      track.addEventListener('ended', () => this.fail('the microphone was disconnected'));
    }
  }

  /** Opens the microphone; rejects with getUserMedia's DOMException (NotAllowedError, NotFoundError ...). */
  static async open(sampleRate = 16000, frameMs = 20): Promise<BrowserPcmRecorder> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw Object.assign(new Error('this page cannot use a microphone (needs https or localhost)'), {
        name: 'SecurityError',
      });
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const context = new AudioContext();
    try {
      const url = URL.createObjectURL(new Blob([PCM_WORKLET_SOURCE], { type: 'text/javascript' }));
      try {
        await context.audioWorklet.addModule(url);
      } finally {
        URL.revokeObjectURL(url);
      }
      const node = new AudioWorkletNode(context, PCM_WORKLET_NAME, {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        channelCount: 1,
        channelCountMode: 'explicit',
        processorOptions: { targetRate: sampleRate, frameSamples: Math.round((sampleRate * frameMs) / 1000) },
      });
      // The graph is pulled from the destination: connect through a muted gain so the worklet runs
      // without playing the microphone back into the room.
      const mute = context.createGain();
      mute.gain.value = 0;
      context.createMediaStreamSource(stream).connect(node).connect(mute).connect(context.destination);
      if (context.state === 'suspended') await context.resume();
      return new BrowserPcmRecorder(stream, context, node, sampleRate);
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      void context.close();
      throw err;
    }
  }

  start(options: RecorderStartOptions): void {
    if (this.closed) throw new Error('the recorder is closed');
    if (options.sampleRate !== undefined && options.sampleRate !== this.sampleRate) {
      throw new Error(`opened at ${this.sampleRate} Hz, asked for ${options.sampleRate} Hz`);
    }
    this.emitting = true;
    for (const cb of this.listeners.start) cb();
  }

  stop(): void {
    if (this.closed) return;
    this.close();
    for (const cb of this.listeners.stop) cb({});
  }

  pause(): void {
    this.paused = true;
    for (const cb of this.listeners.pause) cb();
  }

  resume(): void {
    this.paused = false;
    for (const cb of this.listeners.resume) cb();
  }

  /** Frees the microphone and audio thread without telling the sdk (used when talk never started). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emitting = false;
    this.node.port.onmessage = null;
    for (const t of this.stream.getTracks()) t.stop();
    void this.context.close();
  }

  onStart(cb: () => void): void {
    this.listeners.start.push(cb);
  }
  onPause(cb: () => void): void {
    this.listeners.pause.push(cb);
  }
  onResume(cb: () => void): void {
    this.listeners.resume.push(cb);
  }
  onStop(cb: (res?: { tempFilePath?: string }) => void): void {
    this.listeners.stop.push(cb);
  }
  onFrameRecorded(cb: (res: { frameBuffer: ArrayBuffer; isLastFrame?: boolean }) => void): void {
    this.listeners.frame.push(cb);
  }
  onError(cb: (res: { errMsg: string }) => void): void {
    this.listeners.error.push(cb);
  }

  private fail(errMsg: string): void {
    if (this.closed) return;
    this.close();
    for (const cb of this.listeners.error) cb({ errMsg });
  }
}
