/**
 * A ResponseWriter whose frames go over signalling (camera → node → viewer) as sealed `relay` frames
 * (protocol/src/signal/start-relay.ts): the same head / body / end frames a request channel carries, each
 * encrypted end to end and numbered. Writes made in one tick are coalesced (a live start's GOP cache is
 * dozens of tags) into frames of at most RELAY_FRAME_BYTES. Frames are numbered when written and
 * sealed and sent strictly in that order, so `handOver()` knows at once how many frames the viewer must
 * have before the P2P channel's bytes continue the stream.
 */
import {
  concatBytes,
  encodeFrame,
  RELAY_KIND_BODY,
  RELAY_KIND_TEXT,
  sealRelayFrame,
  utf8Encode,
  type DeviceToServer,
  type ResponseFrame,
} from '@xp2p/protocol';
import type { ResponseWriter } from '../response-writer.js';

export interface RelayWriterOptions {
  relayId: string;
  /** the relay's AES-GCM key, derived once the camera's key pair exists */
  key: Promise<CryptoKey>;
  /** the camera's public key, sent with frame 0 */
  cameraKey: string;
  /** to the signalling server; false when the socket is not open */
  send: (msg: DeviceToServer) => boolean;
  log: (line: string) => void;
}

/**
 * Plaintext bytes per frame the camera sends (the wire allows START_RELAY_FRAME_MAX_BYTES): a frame opens
 * only once all of it arrived, and the first ones travel a signalling socket whose TCP window restarts
 * small after idling (initial window ~14 KB, RFC 6928): small frames let the keyframe reach the player
 * while the rest of the GOP is still on its way.
 */
export const RELAY_FRAME_BYTES = 8 * 1024;

export class RelayResponseWriter implements ResponseWriter {
  readonly #o: RelayWriterOptions;
  #seq = 0;
  #headSent = false;
  #done = false;
  /** the relay is over: frames numbered but not yet sent are dropped */
  #stopped = false;
  /** sealing and sending, one frame after another */
  #chain: Promise<void> = Promise.resolve();
  #inFlightBytes = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  readonly #closeListeners: (() => void)[] = [];
  /** bytes handed to the signalling socket */
  relayedBytes = 0;

  constructor(options: RelayWriterOptions) {
    this.#o = options;
  }

  /** the response head went out (a relayed start that has not answered yet cannot be handed over) */
  get answered(): boolean {
    return this.#headSent;
  }

  /** frames numbered so far: the viewer needs all of them before anything that follows the relay */
  get frames(): number {
    return this.#seq;
  }

  head(status: number, headers: Record<string, string> = {}): void {
    if (this.#headSent || this.#done) return;
    this.#headSent = true;
    this.#text({ type: 'head', status, headers });
  }

  write(bytes: Uint8Array): boolean {
    if (!this.#headSent) this.head(200);
    if (this.#done) return false;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return true;
  }

  end(): void {
    if (this.#done) return;
    if (!this.#headSent) this.head(200);
    this.#flush();
    this.#text({ type: 'end' });
    this.#finish();
  }

  fail(status: number, message: string): void {
    if (this.#done) return;
    if (!this.#headSent) {
      this.head(status, { 'x-reason': message.slice(0, 512) });
      this.#text({ type: 'end' });
    } else {
      this.#flush();
      this.#text({ type: 'error', status, message: message.slice(0, 1024) });
    }
    this.#finish();
  }

  get bufferedAmount(): number {
    return this.#inFlightBytes + this.#pendingBytes;
  }

  get closed(): boolean {
    return this.#done;
  }

  drained(): Promise<void> {
    return this.#chain;
  }

  onClose(cb: () => void): void {
    this.#closeListeners.push(cb);
  }

  onUpstream(): void {
    // a live start has no upstream
  }

  /**
   * The stream moves to P2P: what was written goes out as the last frames; returns how many frames the
   * relay carried in all. The writer's close listeners are not told (the subscription lives on).
   */
  handOver(): number {
    this.#flush();
    this.#finish();
    this.#closeListeners.length = 0;
    return this.#seq;
  }

  /** The relay ended without a hand-over (the node's cap or bound, a bye, the time bound): the stream stops. */
  stop(why: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#o.log(`start relay ${this.#o.relayId.slice(0, 8)} stopped: ${why}`);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#finish();
    for (const cb of this.#closeListeners.splice(0)) cb();
  }

  #text(frame: ResponseFrame): void {
    this.#flush();
    this.#frame(RELAY_KIND_TEXT, utf8Encode(encodeFrame(frame)));
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pendingBytes === 0 || this.#done) return;
    const all = this.#pending.length === 1 ? this.#pending[0]! : concatBytes(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    for (let o = 0; o < all.byteLength; o += RELAY_FRAME_BYTES) {
      this.#frame(RELAY_KIND_BODY, all.subarray(o, Math.min(all.byteLength, o + RELAY_FRAME_BYTES)));
    }
  }

  /** Numbers a frame now; seals and sends it after every frame before it. */
  #frame(kind: number, payload: Uint8Array): void {
    if (this.#done) return;
    const seq = this.#seq++;
    const { relayId, cameraKey } = this.#o;
    this.#inFlightBytes += payload.byteLength;
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.#stopped) return;
        const data = await sealRelayFrame(await this.#o.key, relayId, seq, kind, payload);
        if (this.#stopped) return;
        const sent = this.#o.send({
          type: 'relay',
          sessionId: relayId,
          seq,
          ...(seq === 0 ? { key: cameraKey } : {}),
          data,
        });
        if (sent) this.relayedBytes += data.length;
        else this.stop('signalling connection closed');
      } catch (err) {
        this.stop(`sealing failed: ${String(err)}`);
      } finally {
        this.#inFlightBytes -= payload.byteLength;
      }
    });
  }

  #finish(): void {
    this.#done = true;
  }
}
