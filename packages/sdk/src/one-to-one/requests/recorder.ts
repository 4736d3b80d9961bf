/**
 * The shape of the mini-program's RecorderManager that startVoiceService drives. Any audio source that
 * delivers PCM frames this way works: the Node recorder in node-recorder.ts, an AudioWorklet in browsers.
 */
export interface RecorderStartOptions {
  /** must be 'PCM' (case-insensitive) for talkback */
  format: string;
  sampleRate?: number;
  numberOfChannels?: number;
  /** bits per sample; 16 */
  encodeBitRate?: number;
  frameSize?: number;
  duration?: number;
}

export interface RecorderManager {
  start(options: RecorderStartOptions): void;
  stop(): void;
  pause(): void;
  resume(): void;
  onStart(cb: () => void): void;
  onPause(cb: () => void): void;
  onResume(cb: () => void): void;
  onStop(cb: (res?: { tempFilePath?: string }) => void): void;
  onFrameRecorded(cb: (res: { frameBuffer: ArrayBuffer; isLastFrame?: boolean }) => void): void;
  onError(cb: (res: { errMsg: string }) => void): void;
  /** the system took the microphone (a call, another app); startVoiceService pauses the talk meanwhile */
  onInterruptionBegin?(cb: () => void): void;
  /** the interruption is over: startVoiceService resumes the talk */
  onInterruptionEnd?(cb: () => void): void;
}

export interface VoiceCallbacks {
  onStart?: () => void;
  onPause?: (res: { inInterruption: boolean }) => void;
  onResume?: () => void;
  onStop?: (res: { willRestart: boolean }) => void;
}

const METHODS = [
  'start',
  'stop',
  'pause',
  'resume',
  'onStart',
  'onPause',
  'onResume',
  'onStop',
  'onFrameRecorded',
  'onError',
] as const;

export function isRecorderManager(x: unknown): x is RecorderManager {
  return !!x && typeof x === 'object' && METHODS.every((m) => typeof (x as Record<string, unknown>)[m] === 'function');
}
