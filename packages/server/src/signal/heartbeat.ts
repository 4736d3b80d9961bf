/**
 * WebSocket-level pings on every signalling socket. A camera whose network vanished leaves a half-open TCP
 * connection that can linger for minutes; missing pongs find it so presence turns offline and viewers hear
 * `bye` soon after.
 */
import { WebSocket } from 'ws';

export class Heartbeat {
  readonly #missed = new Map<WebSocket, number>();
  readonly #intervalMs: number;
  readonly #missesAllowed: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number, missesAllowed: number) {
    this.#intervalMs = intervalMs;
    this.#missesAllowed = missesAllowed;
  }

  watch(ws: WebSocket): void {
    this.#missed.set(ws, 0);
    ws.on('pong', () => {
      if (this.#missed.has(ws)) this.#missed.set(ws, 0);
    });
    ws.once('close', () => this.#missed.delete(ws));
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#tick(), this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    for (const [ws, missed] of this.#missed) {
      if (missed >= this.#missesAllowed) {
        this.#missed.delete(ws);
        ws.terminate();
      } else if (ws.readyState === WebSocket.OPEN) {
        this.#missed.set(ws, missed + 1);
        ws.ping();
      }
    }
  }
}
