/**
 * Start-relay traffic to one viewer socket (signal/start-relay.ts), written as fast as that socket drains.
 *
 * A relayed start begins with a burst (the camera's GOP cache: ~0.5 MB for a 2 s GOP at 2 Mbit/s) on a
 * signalling socket whose TCP window restarts small after idling: at 300 ms round trip it takes ~1.5 s to
 * carry it, as P2P's SCTP would. Written straight into the socket, that backlog reached the point where the
 * node must cut a relay (half of the socket's `maxSendBufferBytes`, so that the viewer's signalling is
 * never cut for not reading) and the stream paused until P2P opened (NAT lab, 2 Mbit/s, 300 ms: 4.2 s).
 * Here the relay's bytes wait in their own queue and enter the socket `inSocketBytes` at a time, as the
 * socket takes them (ws's write callback); signalling messages go around them. The queue is bounded: each
 * relay by its byte cap at the camera's node (startRelayMaxBytes), the queue as a whole by `maxQueuedBytes`
 * (beyond it a frame is dropped: the viewer sees the gap and continues as after a failed hand-over).
 * `relay-end` waits behind the frames it ends, so a viewer never hears a relay is over before its last frame.
 */
import { WebSocket } from 'ws';

export interface RelayPacerOptions {
  /** relay bytes handed to the socket and not yet written out, at most */
  inSocketBytes: number;
  /** relay bytes waiting here, at most */
  maxQueuedBytes: number;
  log: (line: string) => void;
}

export class RelayPacer {
  readonly #ws: WebSocket;
  readonly #o: RelayPacerOptions;
  #queue: (Uint8Array | string)[] = [];
  #queuedBytes = 0;
  #inSocket = 0;
  #dropped = 0;

  constructor(ws: WebSocket, options: RelayPacerOptions) {
    this.#ws = ws;
    this.#o = options;
  }

  /** A relay frame (binary); false when the queue is full and the frame was dropped. */
  sendFrame(bytes: Uint8Array): boolean {
    if (this.#queuedBytes + bytes.byteLength > this.#o.maxQueuedBytes) {
      if (this.#dropped++ === 0) this.#o.log(`relay frames dropped: ${this.#queuedBytes} bytes already wait`);
      return false;
    }
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.byteLength;
    this.#pump();
    return true;
  }

  /** A JSON message that must not overtake the frames queued before it (`relay-end`). */
  sendAfterFrames(text: string): void {
    if (this.#queue.length === 0) {
      this.#ws.send(text);
      return;
    }
    this.#queue.push(text);
    this.#pump();
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inSocket < this.#o.inSocketBytes) {
      if (this.#ws.readyState !== WebSocket.OPEN) {
        this.#queue = [];
        this.#queuedBytes = 0;
        return;
      }
      const next = this.#queue.shift()!;
      if (typeof next === 'string') {
        this.#ws.send(next);
        continue;
      }
      this.#queuedBytes -= next.byteLength;
      this.#inSocket += next.byteLength;
      this.#ws.send(next, (err) => {
        this.#inSocket -= next.byteLength;
        if (!err) this.#pump();
      });
    }
  }
}
