/**
 * Writes each talk to its own WAV file in a directory (`--voice-dir`): talk_<unix ms>_<session>.wav.
 * The RIFF and data sizes are unknown while the viewer talks, so the header is written with zeros and
 * patched when the talk ends.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { VoiceFormat, VoiceSink, VoiceStream, VoiceTalkInfo } from './voice-sink.js';

export interface WavFileSinkOptions {
  /** Told the path and PCM byte count of each finished file. */
  onFile?: (path: string, pcmBytes: number) => void;
}

const WAV_HEADER_BYTES = 44;

export function wavFileVoiceSink(dir: string, options: WavFileSinkOptions = {}): VoiceSink {
  return {
    async open(format: VoiceFormat, info: VoiceTalkInfo): Promise<VoiceStream> {
      await mkdir(dir, { recursive: true, mode: 0o700 }); // talk is private: other local users may not read it
      const session = info.sessionId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'local';
      const path = join(dir, `talk_${info.startedAt}_${session}.wav`);
      const file = await open(path, 'wx');
      await file.write(wavHeader(format, 0), 0, WAV_HEADER_BYTES, 0);
      return new WavFileStream(file, path, format, options.onFile);
    },
  };
}

class WavFileStream implements VoiceStream {
  private pcmBytes = 0;
  /** Writes are chained so they land in order, and close() waits for the last one. */
  private chain: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly file: FileHandle,
    private readonly path: string,
    private readonly format: VoiceFormat,
    private readonly onFile: WavFileSinkOptions['onFile'],
  ) {}

  write(pcm: Uint8Array): void {
    if (this.closing || pcm.byteLength === 0) return;
    const at = WAV_HEADER_BYTES + this.pcmBytes;
    this.pcmBytes += pcm.byteLength;
    this.chain = this.chain.then(() => this.file.write(pcm, 0, pcm.byteLength, at));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.chain;
        // RIFF chunks are padded to an even size; the data size itself stays exact.
        if (this.pcmBytes % 2 === 1) await this.file.write(new Uint8Array(1), 0, 1, WAV_HEADER_BYTES + this.pcmBytes);
        await this.file.write(wavHeader(this.format, this.pcmBytes), 0, WAV_HEADER_BYTES, 0);
      } finally {
        await this.file.close();
      }
      this.onFile?.(this.path, this.pcmBytes);
    })();
    return this.closing;
  }
}

/** The canonical 44-byte PCM WAV header. */
export function wavHeader(format: VoiceFormat, pcmBytes: number): Uint8Array {
  const h = new Uint8Array(WAV_HEADER_BYTES);
  const v = new DataView(h.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
  };
  const blockAlign = format.channels * (format.bits / 8);
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + pcmBytes + (pcmBytes % 2), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, format.channels, true);
  v.setUint32(24, format.sampleRate, true);
  v.setUint32(28, format.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, format.bits, true);
  ascii(36, 'data');
  v.setUint32(40, pcmBytes, true);
  return h;
}
