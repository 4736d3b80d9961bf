/**
 * A ResponseWriter whose frames go over signalling (camera → node → viewer) as sealed `relay` frames
 * (protocol/src/signal/start-relay.ts): the same head / body / end frames a request channel carries, each
 * encrypted end to end and numbered. Writes made in one tick are coalesced (a live start's GOP cache is
 * dozens of tags) into frames of at most RELAY_FRAME_BYTES, sealed and sent strictly in order.
 *
 * Paced by the node's acks (`relay-ack`): at most `windowBytes` may be sent and not yet acknowledged. The
 * camera cannot see the bytes waiting in its own TCP send buffer, and on an uplink slower than the stream
 * (measured in the NAT lab: 2 Mbit/s cap, ~4 Mbit/s source) an unpaced relay queued seconds of video there:
 * the hand-over waited for all of it, missed the node's time bound, and the viewer stalled 5–11 s where a
 * P2P-only start had no gap over 0.5 s. Paced, what waits stays here, where it can still go another way:
 * - bytes waiting longer than `maxLagMs` mean the uplink cannot carry the stream: the relay stops for good
 *   (it sends nothing more, so the uplink is free for the P2P handshake, whose lost DTLS flights cost 1 s
 *   each) and reports itself full (`bufferedAmount`), so the live hub skips the rest of the GOP and
 *   resumes at a keyframe on the P2P channel, as for any viewer that falls behind;
 * - at the hand-over the bytes the relay has not sent go on the P2P channel instead (`handOver()`), and the
 *   viewer, told how many frames the relay did send, joins the two at the exact byte.
 * So a relayed start is never worse than a P2P-only one: the first picture sooner, at worst a pause until
 * P2P opens, never a relay backlog that the hand-over must wait for.
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
import { DEVICE_DEFAULTS } from '../defaults.js';
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
  /** plaintext bytes sent and not yet acknowledged by the node, at most (DEVICE_DEFAULTS.startRelayWindowBytes) */
  windowBytes?: number;
  /** bytes waiting longer than this to be sent make the relay full (DEVICE_DEFAULTS.startRelayMaxLagMs) */
  maxLagMs?: number;
  now?: () => number;
}

/**
 * Plaintext bytes per frame the camera sends (the wire allows START_RELAY_FRAME_MAX_BYTES): a frame opens
 * only once all of it arrived, and the first ones travel a signalling socket whose TCP window restarts
 * small after idling (initial window ~14 KB, RFC 6928): small frames let the keyframe reach the player
 * while the rest of the GOP is still on its way.
 */
export const RELAY_FRAME_BYTES = 8 * 1024;

/** What a relay that fell behind reports as its backlog: more than any subscriber's high-water mark. */
export const RELAY_FULL = Number.MAX_SAFE_INTEGER;

interface Waiting {
  kind: number;
  payload: Uint8Array;
  /** when it was written */
  at: number;
}

export class RelayResponseWriter implements ResponseWriter {
  readonly #o: RelayWriterOptions;
  readonly #windowBytes: number;
  readonly #maxLagMs: number;
  readonly #now: () => number;
  #seq = 0;
  #headSent = false;
  #done = false;
  /** the relay is over: frames numbered but not yet sent are dropped */
  #stopped = false;
  /** sealing and sending, one frame after another */
  #chain: Promise<void> = Promise.resolve();
  /** written in this tick, not yet cut into frames */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  /** cut into frames, waiting for the window */
  #waiting: Waiting[] = [];
  #waitingBytes = 0;
  /** sent (or being sealed) and not yet acknowledged by the node, oldest first */
  #unacked: { seq: number; bytes: number }[] = [];
  #unackedBytes = 0;
  #fellBehind = false;
  readonly #closeListeners: (() => void)[] = [];
  /** bytes handed to the signalling socket */
  relayedBytes = 0;

  constructor(options: RelayWriterOptions) {
    this.#o = options;
    this.#windowBytes = options.windowBytes ?? DEVICE_DEFAULTS.startRelayWindowBytes;
    this.#maxLagMs = options.maxLagMs ?? DEVICE_DEFAULTS.startRelayMaxLagMs;
    this.#now = options.now ?? (() => performance.now());
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
    this.#text({ type: 'end' });
    this.#done = true;
  }

  fail(status: number, message: string): void {
    if (this.#done) return;
    if (!this.#headSent) {
      this.head(status, { 'x-reason': message.slice(0, 512) });
      this.#text({ type: 'end' });
    } else {
      this.#text({ type: 'error', status, message: message.slice(0, 1024) });
    }
    this.#done = true;
  }

  /** Bytes not yet acknowledged by the node; RELAY_FULL once the relay fell behind (see the top of the file). */
  get bufferedAmount(): number {
    return this.#behind() ? RELAY_FULL : this.#pendingBytes + this.#waitingBytes + this.#unackedBytes;
  }

  /** True for good once written bytes waited longer than `maxLagMs` for the window. */
  #behind(): boolean {
    if (this.#fellBehind) return true;
    const oldest = this.#waiting[0];
    if (!oldest || this.#now() - oldest.at <= this.#maxLagMs) return false;
    this.#fellBehind = true;
    this.#o.log(
      `start relay ${this.#o.relayId.slice(0, 8)} fell behind (${this.#waitingBytes} bytes waiting over ` +
        `${this.#maxLagMs} ms): it stops; P2P carries the rest and live media from a keyframe`,
    );
    return true;
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

  /** The node forwarded frame `seq` and every one before it: the window moves on. */
  acked(seq: number): void {
    while (this.#unacked.length > 0 && this.#unacked[0]!.seq <= seq) this.#unackedBytes -= this.#unacked.shift()!.bytes;
    this.#pump();
  }

  /**
   * The stream moves to P2P: what the window lets go now goes as the last frames; the body bytes still
   * waiting are returned, for the P2P channel to send first. `frames`: how many frames the relay carried in
   * all. The writer's close listeners are not told (the subscription lives on).
   */
  handOver(): { frames: number; rest: Uint8Array[] } {
    this.#flush();
    const rest = this.#waiting.map((w) => w.payload);
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#done = true;
    this.#closeListeners.length = 0;
    return { frames: this.#seq, rest };
  }

  /** The relay ended without a hand-over (the node's cap or bound, a bye, the time bound): the stream stops. */
  stop(why: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#o.log(`start relay ${this.#o.relayId.slice(0, 8)} stopped: ${why}`);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#done = true;
    for (const cb of this.#closeListeners.splice(0)) cb();
  }

  #text(frame: ResponseFrame): void {
    this.#flush();
    this.#enqueue(RELAY_KIND_TEXT, utf8Encode(encodeFrame(frame)));
    this.#pump();
  }

  /** This tick's writes, cut into frames, join the queue. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pendingBytes === 0 || this.#done) return;
    const all = this.#pending.length === 1 ? this.#pending[0]! : concatBytes(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    for (let o = 0; o < all.byteLength; o += RELAY_FRAME_BYTES) {
      this.#enqueue(RELAY_KIND_BODY, all.subarray(o, Math.min(all.byteLength, o + RELAY_FRAME_BYTES)));
    }
    this.#pump();
  }

  #enqueue(kind: number, payload: Uint8Array): void {
    if (this.#stopped) return;
    this.#waiting.push({ kind, payload, at: this.#now() });
    this.#waitingBytes += payload.byteLength;
  }

  /**
   * Numbers and sends what waits while the window allows (one frame at least when nothing is unacknowledged),
   * until the relay fell behind: what waits then is the P2P channel's.
   */
  #pump(): void {
    while (this.#waiting.length > 0 && !this.#stopped && !this.#behind()) {
      const next = this.#waiting[0]!;
      if (this.#unacked.length > 0 && this.#unackedBytes + next.payload.byteLength > this.#windowBytes) return;
      this.#waiting.shift();
      this.#waitingBytes -= next.payload.byteLength;
      this.#send(next.kind, next.payload);
    }
  }

  /** Numbers a frame now; seals and sends it after every frame before it. */
  #send(kind: number, payload: Uint8Array): void {
    const seq = this.#seq++;
    const { relayId, cameraKey } = this.#o;
    this.#unacked.push({ seq, bytes: payload.byteLength });
    this.#unackedBytes += payload.byteLength;
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
        if (sent) this.relayedBytes += data.byteLength;
        else this.stop('signalling connection closed');
      } catch (err) {
        this.stop(`sealing failed: ${String(err)}`);
      }
    });
  }
}
