/** Where the viewer's talkback audio goes on the camera: a WAV file, a program, or the app's own code. */

/** Signed 16-bit little-endian interleaved PCM, as the viewer sends it. */
export interface VoiceFormat {
  sampleRate: number;
  channels: 1 | 2;
  bits: 16;
}

export interface VoiceTalkInfo {
  sessionId: string;
  /** unix ms */
  startedAt: number;
}

/** One talk, from the viewer's head-200 to its end. */
export interface VoiceStream {
  write(pcm: Uint8Array): void;
  /** The talk is over (viewer ended or left); resolves once the audio is safely handed over. */
  close(): Promise<void>;
}

export interface VoiceSink {
  open(format: VoiceFormat, info: VoiceTalkInfo): VoiceStream | Promise<VoiceStream>;
}

export class VoiceSinkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VoiceSinkError';
  }
}
