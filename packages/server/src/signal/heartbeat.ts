/**
 * WebSocket-level pings on every signalling socket. A camera whose network vanished leaves a half-open TCP
 * connection that can linger for minutes; missing pongs find it so presence turns offline and viewers hear
 * `bye` soon after. Each ping carries a random payload and only the pong that echoes it counts, so a
 * client cannot stay "alive" by sending pongs of its own without ever reading.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

interface Watch {
  missed: number;
  /** the payload of the last ping sent: only a pong carrying it counts (RFC 6455 §5.5.3) */
  expected: Buffer | undefined;
}

export class Heartbeat {
  readonly #watched = new Map<WebSocket, Watch>();
  readonly #intervalMs: number;
  readonly #missesAllowed: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number, missesAllowed: number) {
    this.#intervalMs = intervalMs;
    this.#missesAllowed = missesAllowed;
  }

  watch(ws: WebSocket): void {
    const watch: Watch = { missed: 0, expected: undefined };
    this.#watched.set(ws, watch);
    ws.on('pong', (data: Buffer) => {
      if (watch.expected && data.equals(watch.expected)) {
        watch.missed = 0;
        watch.expected = undefined;
      }
    });
    ws.once('close', () => this.#watched.delete(ws));
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#tick(), this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    for (const [ws, watch] of this.#watched) {
      if (watch.missed >= this.#missesAllowed) {
        this.#watched.delete(ws);
        ws.terminate();
      } else if (ws.readyState === WebSocket.OPEN) {
        watch.missed++;
        watch.expected ??= randomBytes(8); // unchanged until answered, so a late pong still counts
        ws.ping(watch.expected);
      }
    }
  }
}
