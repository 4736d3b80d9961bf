/**
 * One signalling WebSocket, either side: rate-limits and parses every inbound frame against the schema of
 * its direction, answers `ping`, handles messages strictly one after another (token checks are async and a
 * trickled candidate must never overtake its offer), and sends JSON only while the socket is open. Relay
 * frames travel as binary messages (protocol/src/signal/start-relay-binary.ts), both ways.
 */
import { encodeRelayFrame, parseSignal, type MessageSchema, type ParseResult, type RelayFrame } from '@xp2p/protocol';
import { WebSocket, type RawData } from 'ws';
import type { ServerTuning } from '../defaults.js';
import { RelayPacer } from './relay-pacer.js';
import { TokenBucket } from './token-bucket.js';

/** Close code for a peer that kept sending garbage (RFC 6455 §7.4.1: policy violation). */
export const CLOSE_POLICY_VIOLATION = 1008;

export interface ChannelOptions<In> {
  ws: WebSocket;
  schema: MessageSchema<In>;
  tuning: ServerTuning;
  log: (line: string) => void;
  /** names the peer in log lines */
  label: () => string;
  /** counts every refusal this channel sends (status code), for /metrics */
  onRefused?: (status: number) => void;
  /** invalid messages allowed before the socket is closed, if fewer than tuning.maxInvalidMessages (e.g. 1
   * before a device has logged in: a real camera's first message is valid, a flood's is not) */
  maxInvalid?: () => number;
  /** parses a binary message (a device's relay frames); none: binary messages are refused as invalid */
  parseBinary?: (bytes: Uint8Array) => ParseResult<In>;
  /** every valid message except `ping`, in arrival order; may be async */
  onMessage: (message: In) => void | Promise<void>;
}

export interface ErrorExtras {
  sessionId?: string;
  code?: number;
}

const isRelayFrame = (message: { type: string }): message is RelayFrame => message.type === 'relay';

function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

export class SignalChannel<In extends { type: string }, Out extends { type: string }> {
  readonly ws: WebSocket;
  readonly #options: ChannelOptions<In>;
  readonly #bucket: TokenBucket;
  #invalid = 0;
  #throttled = false;
  #queue: Promise<void> = Promise.resolve();
  /** made on the first relay frame: most sockets (devices, trackers, idle viewers) never carry one */
  #relayPacer: RelayPacer | undefined;

  constructor(options: ChannelOptions<In>) {
    this.ws = options.ws;
    this.#options = options;
    this.#bucket = new TokenBucket(options.tuning.messageBurst, options.tuning.messagesPerSecond);
    this.ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    // Socket errors (bad frames, resets) end in 'close'; without a listener they would crash the process.
    this.ws.on('error', (err) => options.log(`${options.label()}: socket error: ${err.message}`));
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(message: Out): void {
    if (!this.open) return;
    // A client that does not read would otherwise make us buffer everything sent to it, without bound.
    if (this.ws.bufferedAmount > this.#options.tuning.maxSendBufferBytes) {
      this.#options.log(`${this.#options.label()}: cut, not reading (${this.ws.bufferedAmount} bytes queued)`);
      this.ws.terminate();
      return;
    }
    // relay frames go as binary messages (their ciphertext without base64's third more bytes), as the socket
    // drains; the relay's end follows its last frame
    if (isRelayFrame(message)) this.#relay().sendFrame(encodeRelayFrame(message));
    else if (message.type === 'relay-end' && this.#relayPacer)
      this.#relayPacer.sendAfterFrames(JSON.stringify(message));
    else this.ws.send(JSON.stringify(message));
  }

  #relay(): RelayPacer {
    const o = this.#options;
    this.#relayPacer ??= new RelayPacer(this.ws, {
      // well below the point where the socket is cut for not reading
      inSocketBytes: Math.min(256 * 1024, o.tuning.maxSendBufferBytes / 4),
      // a viewer may start a few streams at once, each relay capped at startRelayMaxBytes by the camera's node
      maxQueuedBytes: 2 * o.tuning.startRelayMaxBytes,
      log: (line) => o.log(`${o.label()}: ${line}`),
    });
    return this.#relayPacer;
  }

  sendError(status: number, message: string, extras: ErrorExtras = {}): void {
    this.#options.onRefused?.(status);
    this.send({ type: 'error', ...extras, status, message } as unknown as Out);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
      // A peer that does not read never answers the close frame: ws would wait 30 s; we wait closeGraceMs.
      const timer = setTimeout(() => this.ws.terminate(), this.#options.tuning.closeGraceMs);
      this.ws.once('close', () => clearTimeout(timer));
    }
  }

  #receive(data: RawData, isBinary: boolean): void {
    if (!this.#bucket.take()) {
      // One error per burst of excess, not one per dropped message: don't amplify a flood.
      if (!this.#throttled) this.sendError(429, 'too many messages, slow down');
      this.#throttled = true;
      return;
    }
    this.#throttled = false;
    const { parseBinary } = this.#options;
    const parsed: ParseResult<In> = !isBinary
      ? parseSignal(this.#options.schema, asBytes(data))
      : parseBinary
        ? parseBinary(asBytes(data))
        : { ok: false, error: 'binary messages are not accepted here' };
    if (!parsed.ok) {
      this.sendError(400, parsed.error);
      const allowed = Math.min(this.#options.tuning.maxInvalidMessages, this.#options.maxInvalid?.() ?? Infinity);
      if (++this.#invalid >= allowed) {
        this.#options.log(`${this.#options.label()}: closed after ${this.#invalid} invalid messages`);
        this.close(CLOSE_POLICY_VIOLATION, 'too many invalid messages');
      }
      return;
    }
    const message = parsed.message;
    if (message.type === 'ping') {
      this.send({ type: 'pong' } as unknown as Out);
      return;
    }
    this.#queue = this.#queue
      .then(() => this.#options.onMessage(message))
      .catch((err: unknown) => {
        this.#options.log(`${this.#options.label()}: internal error: ${(err as Error)?.stack ?? String(err)}`);
        this.sendError(500, 'internal server error');
      });
  }
}
