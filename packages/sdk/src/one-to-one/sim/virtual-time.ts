/**
 * Virtual time for the 1v1 simulator: a Clock whose timers run from one event queue (the swarm
 * simulator's, swarm/sim/event-queue.ts). The 1v1 code awaits promises between timers (signalling, offers,
 * request heads), so after every event `run` lets the microtask queue drain before time moves on: an
 * await chain finishes at the virtual time it started. Nothing here waits in real time.
 *
 * Timers of the code under test and the network's own deliveries are counted apart, so a test can ask
 * which timers the sdk left behind.
 */
import { EventQueue, type SimEvent } from '../../swarm/sim/event-queue.js';
import type { Clock } from '../../clock.js';

/**
 * Lets queued promise continuations run before time moves on: 64 microtask turns, far more than the
 * longest await chain one event starts in the 1v1 code. A macrotask turn (setImmediate) would drain any
 * depth, but costs ~50x more on a loaded machine; `settle` and `until` end with one anyway.
 */
const MICROTASK_TURNS = 64;
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < MICROTASK_TURNS; i++) await null;
}
/** One macrotask turn: every microtask, however deep, has run (Node's setImmediate; a 0 ms timer elsewhere). */
const nextTurn: (fn: () => void) => void =
  (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate ?? ((fn) => setTimeout(fn, 0));
const drainAll = (): Promise<void> => new Promise((resolve) => nextTurn(resolve));

/** Virtual Unix time at 0 ms (tokens expire in Unix time): 2026-01-01. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

interface TimedEvent extends SimEvent {
  /** a timer of the code under test (false: the simulated network's) */
  owned: boolean;
}

export class VirtualTime implements Clock {
  private readonly queue = new EventQueue();
  private time = 0;
  /** timers of the code under test that have not fired nor been cleared */
  private readonly live = new Set<TimedEvent>();
  private readonly realWork = new Set<Promise<unknown>>();
  events = 0;

  now(): number {
    return this.time;
  }

  epochMs(): number {
    return SIM_EPOCH_MS + this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.schedule(fn, ms, true);
  }

  clearTimeout(handle: unknown): void {
    const ev = handle as TimedEvent | undefined;
    if (!ev || typeof ev !== 'object' || !('cancelled' in ev)) return;
    ev.cancelled = true;
    this.live.delete(ev);
  }

  /** A delivery of the simulated network: not the sdk's timer. */
  later(fn: () => void, ms: number): void {
    this.schedule(fn, ms, false);
  }

  /**
   * Real asynchronous work that takes no virtual time: WebCrypto (a relay-first start's keys and frames)
   * settles on a thread pool, a macrotask or more later. Time does not move on while any is pending, so its
   * await chains also finish at the virtual time they started (sim-crypto.ts tracks them).
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.realWork.add(work);
    const done = () => this.realWork.delete(work);
    work.then(done, done);
    return work;
  }

  private async settleRealWork(): Promise<void> {
    while (this.realWork.size > 0) {
      await Promise.allSettled([...this.realWork]);
      await drainMicrotasks();
    }
  }

  /** Timers the code under test set and neither fired nor cleared. */
  get pendingTimers(): number {
    return this.live.size;
  }

  /** Runs every event up to `untilMs` (virtual), letting promise chains finish after each. */
  async run(untilMs: number): Promise<void> {
    await drainAll();
    await this.settleRealWork();
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > untilMs) break;
      this.queue.pop();
      if (next.cancelled) continue;
      this.time = next.at;
      this.live.delete(next as TimedEvent);
      this.events++;
      next.fn();
      await drainMicrotasks();
      await this.settleRealWork();
    }
    this.time = Math.max(this.time, untilMs);
  }

  /** Runs for `ms` of virtual time from now. */
  advance(ms: number): Promise<void> {
    return this.run(this.time + ms);
  }

  /** Runs until `done()` holds (checked after every event), or fails after `limitMs` of virtual time. */
  async until(done: () => boolean, limitMs = 60_000): Promise<void> {
    const limit = this.time + limitMs;
    await drainAll();
    await this.settleRealWork();
    while (!done()) {
      const next = this.queue.peek();
      if (!next || next.at > limit) throw new Error(`condition not met within ${limitMs} ms of virtual time`);
      await this.run(next.at);
    }
  }

  /** Resolves with `p`'s value, running virtual time until it settles. */
  async settle<T>(p: Promise<T>, limitMs = 60_000): Promise<T> {
    let done = false;
    const tracked = p.finally(() => (done = true));
    await this.until(() => done, limitMs);
    return tracked;
  }

  private schedule(fn: () => void, ms: number, owned: boolean): TimedEvent {
    const ev = this.queue.push(this.time + Math.max(0, ms), fn) as TimedEvent;
    ev.owned = owned;
    if (owned) this.live.add(ev);
    return ev;
  }
}
