/**
 * The camera's relay-first starts (protocol/src/signal/start-relay.ts): a viewer's offer carried its first
 * live request, and the camera answers it at once over signalling, sealed end to end with a key from the
 * ECDH exchange (the viewer's public key in the offer, the camera's in frame 0), while the P2P connection
 * comes up. When the viewer's P2P request names the relay (RELAY_HANDOVER_PARAM), the same live
 * subscription moves onto that channel (handover-writer.ts). A relay that is not taken over within
 * `maxMs` stops, and so does one the node ended (its cap or bound) or the viewer left (bye).
 * Only live requests are relayed: they are what a user waits for; everything else waits for P2P.
 */
import {
  deriveRelayKey,
  newRelayKeyPair,
  type DeviceToServer,
  type RequestFrame,
  type StartRequest,
} from '@xp2p/protocol';
import type { RequestContext, RequestHandler, ResponseWriter } from '../response-writer.js';
import { HandoverWriter } from './handover-writer.js';
import { RelayResponseWriter, type RelayWriterOptions } from './relay-writer.js';

export interface StartRelaysOptions {
  /** serves the relayed request (the camera's router) */
  handler: RequestHandler;
  send: (msg: DeviceToServer) => boolean;
  maxMs: number;
  log: (line: string) => void;
  /** the relays' pacing (window, lag bound, clock): DEVICE_DEFAULTS' and performance.now by default */
  pacing?: Pick<RelayWriterOptions, 'windowBytes' | 'maxLagMs' | 'now'>;
}

interface Relay {
  /** the viewer it belongs to (its token's nonce): only that viewer's P2P sessions may take it over */
  viewer: string;
  writer: HandoverWriter;
  relay: RelayResponseWriter;
  timer: ReturnType<typeof setTimeout>;
}

const isLive = (start: StartRequest): boolean =>
  /(^|\/)ipc\.flv$/.test(start.path) && new URLSearchParams(start.query).get('action') === 'live';

export class StartRelays {
  readonly #o: StartRelaysOptions;
  readonly #relays = new Map<string, Relay>();

  constructor(options: StartRelaysOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#relays.size;
  }

  /**
   * Starts answering `start` over signalling for `viewer` (the token was checked by the caller), through
   * `handler` (default: the options' one; the caller's carries the viewer's role check).
   */
  async open(start: StartRequest, viewer: string, handler: RequestHandler = this.#o.handler): Promise<void> {
    const { id } = start;
    if (!isLive(start) || this.#relays.has(id)) {
      this.#o.send({ type: 'bye', sessionId: id, reason: 'only a live request is relayed' });
      return;
    }
    const mine = await newRelayKeyPair();
    const key = deriveRelayKey(mine, start.key, id, start.key, mine.publicKey);
    // a bad viewer key ends the relay (the frames it would seal could not be opened anyway)
    key.catch(() => {});
    const relay = new RelayResponseWriter({
      relayId: id,
      key,
      cameraKey: mine.publicKey,
      send: this.#o.send,
      log: this.#o.log,
      ...this.#o.pacing,
    });
    const writer = new HandoverWriter(relay);
    const timer = setTimeout(
      () => this.end(id, `not taken over by P2P within ${this.#o.maxMs} ms`, true),
      this.#o.maxMs,
    );
    this.#relays.set(id, { viewer, writer, relay, timer });
    relay.onClose(() => this.#forget(id));
    const request: RequestFrame = { type: 'request', v: 1, path: start.path, query: start.query };
    const ctx: RequestContext = { sessionId: id };
    try {
      handler(request, new URLSearchParams(start.query), writer, ctx);
    } catch (err) {
      this.#o.log(`relayed request failed: ${String(err)}`);
      writer.fail(500, 'internal error');
    }
  }

  /**
   * The viewer's P2P request `res` takes relay `id` over; `viewer` is who sent it. Answers 410 when that
   * relay is over or not this viewer's (the viewer then asks for the stream afresh).
   */
  handOver(id: string, viewer: string | undefined, res: ResponseWriter): void {
    const relay = this.#relays.get(id);
    if (!relay || relay.viewer !== viewer || !relay.writer.handOver(res)) {
      res.fail(410, 'the relayed start is over');
      return;
    }
    clearTimeout(relay.timer);
    this.#relays.delete(id);
    this.#o.log(`start relay ${id.slice(0, 8)} handed over to P2P after ${relay.relay.frames} frames`);
  }

  /** The node forwarded relay `id`'s frames up to `seq` (its `relay-ack`). */
  acked(id: string, seq: number): void {
    this.#relays.get(id)?.relay.acked(seq);
  }

  /** Stops relay `id` (its viewer's bye, the node's relay-end, the time bound); `tellServer`: say bye. */
  end(id: string, why: string, tellServer = false): void {
    const relay = this.#relays.get(id);
    if (!relay) return;
    this.#forget(id);
    relay.relay.stop(why);
    if (tellServer) this.#o.send({ type: 'bye', sessionId: id, reason: why.slice(0, 256) });
  }

  closeAll(why: string): void {
    for (const id of [...this.#relays.keys()]) this.end(id, why, true);
  }

  #forget(id: string): void {
    const relay = this.#relays.get(id);
    if (!relay) return;
    clearTimeout(relay.timer);
    this.#relays.delete(id);
  }
}
