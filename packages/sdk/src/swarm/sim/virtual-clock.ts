/**
 * Virtual time for the simulator. Engines get it as their SwarmClock. Hashing (WebCrypto) and promise
 * continuations are real asynchronous work: `run` lets them finish before virtual time moves on by more
 * than `asyncSlackMs`, so a chunk is verified at (about) the virtual time it arrived.
 */
import type { SwarmClock } from '../engine/types.js';
import { EventQueue, type SimEvent } from './event-queue.js';

export class VirtualClock implements SwarmClock {
  private readonly queue = new EventQueue();
  private time = 0;
  private readonly pending = new Set<Promise<unknown>>();
  /** virtual time at which unsettled async work began (undefined: none) */
  private dirtySince: number | undefined;
  events = 0;

  constructor(private readonly asyncSlackMs = 1) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): SimEvent {
    return this.queue.push(this.time + Math.max(0, ms), fn);
  }

  clearTimeout(handle: unknown): void {
    if (handle) (handle as SimEvent).cancelled = true;
  }

  /** Track asynchronous work started now (a hash) so virtual time waits for it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    this.markDirty();
    void p.finally(() => this.pending.delete(p)).catch(() => {});
    return p;
  }

  /** Something resolved a promise: its continuations must run before time moves on. */
  markDirty(): void {
    this.dirtySince ??= this.time;
  }

  async run(untilMs: number): Promise<void> {
    for (;;) {
      const next = this.queue.peek();
      if (this.dirtySince !== undefined && (!next || next.at > this.dirtySince + this.asyncSlackMs)) {
        await this.settle();
        continue;
      }
      if (!next || next.at > untilMs) break;
      this.queue.pop();
      if (next.cancelled) continue;
      this.time = next.at;
      this.events++;
      next.fn();
    }
    this.time = Math.max(this.time, untilMs);
  }

  private async settle(): Promise<void> {
    this.dirtySince = undefined;
    do {
      while (this.pending.size > 0) await Promise.all([...this.pending]);
      // let continuation chains (then → await → then) run out
      for (let i = 0; i < 8; i++) await null;
    } while (this.pending.size > 0);
  }
}
