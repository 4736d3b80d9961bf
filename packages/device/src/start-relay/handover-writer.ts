/**
 * The ResponseWriter a relay-first live start is served through: first the relay (relay-writer.ts), then,
 * once the viewer's P2P channel asks to take the stream over, that channel's writer. The live subscription
 * behind it never notices: its bytes simply continue on the channel, so the viewer gets one FLV byte
 * stream with nothing lost and nothing twice. The channel's head tells the viewer how many relay frames
 * precede its first byte (RELAY_FRAMES_HEADER); the bytes the relay had not sent yet (its window was full)
 * are the channel's first.
 */
import { RELAY_FRAMES_HEADER } from '@xp2p/protocol';
import type { ResponseWriter } from '../response-writer.js';
import type { RelayResponseWriter } from './relay-writer.js';

export class HandoverWriter implements ResponseWriter {
  #target: ResponseWriter;
  #handedOver = false;
  readonly #closeListeners: (() => void)[] = [];

  constructor(private readonly relay: RelayResponseWriter) {
    this.#target = relay;
    relay.onClose(() => this.#closed());
  }

  get handedOver(): boolean {
    return this.#handedOver;
  }

  /**
   * The P2P channel's writer takes the stream over; false when the relayed start is already over, or has
   * not answered yet (a full camera may still be finding the viewer a 1vN stream): the viewer then asks
   * afresh, and that answer goes to it as any other.
   */
  handOver(channel: ResponseWriter): boolean {
    if (this.#handedOver || this.relay.closed || !this.relay.answered) return false;
    this.#handedOver = true;
    const { frames, rest } = this.relay.handOver();
    this.#target = channel;
    channel.head(200, { 'content-type': 'video/x-flv', [RELAY_FRAMES_HEADER]: String(frames) });
    // what the relay's window held back continues here, before anything written from now on
    for (const bytes of rest) channel.write(bytes);
    channel.onClose(() => this.#closed());
    return true;
  }

  head(status: number, headers?: Record<string, string>): void {
    this.#target.head(status, headers);
  }
  write(bytes: Uint8Array): boolean {
    return this.#target.write(bytes);
  }
  end(): void {
    this.#target.end();
  }
  fail(status: number, message: string): void {
    this.#target.fail(status, message);
  }
  get bufferedAmount(): number {
    return this.#target.bufferedAmount;
  }
  get closed(): boolean {
    return this.#target.closed;
  }
  drained(threshold?: number): Promise<void> {
    return this.#target.drained(threshold);
  }
  onClose(cb: () => void): void {
    this.#closeListeners.push(cb);
  }
  onUpstream(onData: (data: ArrayBuffer) => void, onEnd: () => void): void {
    this.#target.onUpstream(onData, onEnd);
  }

  #closed(): void {
    for (const cb of this.#closeListeners.splice(0)) cb();
  }
}
