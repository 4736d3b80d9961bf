/**
 * How much talkback audio a viewer may send: real audio arrives at its sample rate, so a talker sending
 * far faster (or for hours, or gigabytes) is filling the camera's disk or speaker queue, not talking.
 * Allowed by time t: rate × (slack × t + burst) bytes, never more than maxBytes, and never after maxMs.
 */
import { DEVICE_DEFAULTS } from '../defaults.js';
import type { VoiceFormat } from './voice-sink.js';

export interface TalkLimits {
  rateSlack?: number;
  burstSeconds?: number;
  maxTalkMs?: number;
  maxTalkBytes?: number;
}

export type TalkVerdict = 'ok' | 'too-fast' | 'too-large';

export class TalkBudget {
  private bytes = 0;
  private readonly bytesPerSecond: number;
  private readonly slack: number;
  private readonly burst: number;
  readonly maxMs: number;
  private readonly maxBytes: number;

  constructor(
    format: VoiceFormat,
    limits: TalkLimits = {},
    private readonly startedAt = Date.now(),
  ) {
    this.bytesPerSecond = format.sampleRate * format.channels * (format.bits / 8);
    this.slack = limits.rateSlack ?? DEVICE_DEFAULTS.voiceRateSlack;
    this.burst = limits.burstSeconds ?? DEVICE_DEFAULTS.voiceBurstSeconds;
    this.maxMs = limits.maxTalkMs ?? DEVICE_DEFAULTS.voiceMaxTalkMs;
    this.maxBytes = limits.maxTalkBytes ?? DEVICE_DEFAULTS.voiceMaxTalkBytes;
  }

  /** Counts `n` more bytes; anything but 'ok' means the talk must end without them. */
  take(n: number, now = Date.now()): TalkVerdict {
    const next = this.bytes + n;
    if (next > this.maxBytes) return 'too-large';
    const elapsedS = Math.max(0, now - this.startedAt) / 1000;
    if (next > this.bytesPerSecond * (this.slack * elapsedS + this.burst)) return 'too-fast';
    this.bytes = next;
    return 'ok';
  }
}
