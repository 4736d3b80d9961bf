/**
 * Plays a live HTTP-FLV URL the way a player would (one GET, read to the end, reconnect after a pause) and
 * counts the bytes, so the soak can tell when a viewer or peer delivers video again after a kill.
 */
import { request } from 'node:http';

export class LiveReader {
  bytes = 0;
  /** when the last byte arrived (performance.now()) */
  lastByteAt = 0;
  private stopped = false;
  private current: { destroy(): void } | undefined;

  constructor(private readonly url: () => string | undefined) {
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const url = this.url();
      if (url) await this.readOnce(url);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private readOnce(url: string): Promise<void> {
    return new Promise((resolve) => {
      const req = request(url, (res) => {
        res.on('data', (chunk: Buffer) => {
          this.bytes += chunk.length;
          this.lastByteAt = performance.now();
        });
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
      req.setTimeout(15_000, () => req.destroy()); // no byte for 15 s: start over
      this.current = req;
      req.end();
    });
  }

  /** Resolves once bytes arrive after this call; rejects after timeoutMs. */
  async flowing(timeoutMs: number): Promise<void> {
    const from = this.bytes;
    const deadline = performance.now() + timeoutMs;
    while (this.bytes <= from + 1_000) {
      if (performance.now() > deadline) throw new Error(`no live bytes within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): void {
    this.stopped = true;
    this.current?.destroy();
  }
}
