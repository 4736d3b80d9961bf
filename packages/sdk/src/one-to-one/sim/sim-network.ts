/**
 * The simulator's network between the viewer and the camera (pion's vnet idea, on virtual time): one path
 * with a one-way latency and a loss rate, and the two faults path recovery exists for:
 * - `breakPath()`: the path the open peer connections use is gone (the viewer's NAT mapping changed, an
 *   interface went away). Their packets are lost from now on and ICE declares them failed after
 *   `iceFailAfterMs`; peer connections made afterwards get a fresh path that works.
 * - `setDown(true)`: nothing gets through at all (the camera froze, a cable is out); what is sent meanwhile
 *   waits and arrives once the path is back (SCTP retransmits), unless ICE gave up first.
 * Messages are reliable and ordered per channel, as on the data channels the sdk opens: a lost packet costs
 * one retransmission timeout. Deliveries are the simulation's own events (VirtualTime.later), not timers
 * of the code under test.
 */
import type { VirtualTime } from './virtual-time.js';

export interface SimNetworkOptions {
  /** one-way latency */
  latencyMs: number;
  /** share of messages that need one retransmission */
  lossRate: number;
  retransmitMs: number;
  /** ICE + DTLS + SCTP setup, in round trips, from the answer to the channel open */
  connectRoundTrips: number;
  /** a peer connection whose path is gone turns `failed` this long after (ICE consent freshness) */
  iceFailAfterMs: number;
}

export const SIM_NETWORK_DEFAULTS: SimNetworkOptions = Object.freeze({
  latencyMs: 20,
  lossRate: 0,
  retransmitMs: 200,
  connectRoundTrips: 3,
  iceFailAfterMs: 5_000,
});

/** One direction of one channel (or of signalling): keeps its messages in order. */
export interface Lane {
  /** the path generation this lane's connection was made on */
  generation: number;
  lastDeliverAt: number;
}

export class SimNetwork {
  readonly options: SimNetworkOptions;
  /** bumped by breakPath(): lanes of older generations lose their packets */
  private generation = 0;
  private down = false;
  /** sends waiting for the path to come back */
  private held: (() => void)[] = [];
  private readonly failWatchers = new Set<(generation: number) => void>();
  /** messages that needed a retransmission */
  retransmits = 0;

  constructor(
    readonly clock: VirtualTime,
    readonly random: () => number,
    options: Partial<SimNetworkOptions> = {},
  ) {
    this.options = { ...SIM_NETWORK_DEFAULTS, ...options };
  }

  get currentGeneration(): number {
    return this.generation;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** A lane for a connection made now. */
  lane(): Lane {
    return { generation: this.generation, lastDeliverAt: 0 };
  }

  /** Whether a lane's path still exists (it may be down for a while). */
  alive(lane: Lane): boolean {
    return lane.generation === this.generation;
  }

  /** Sends over `lane`: `deliver` runs on the far side after the latency, in order; never on a broken path. */
  send(lane: Lane, deliver: () => void): void {
    if (!this.alive(lane)) return;
    if (this.down) {
      this.held.push(() => this.send(lane, deliver));
      return;
    }
    const o = this.options;
    const now = this.clock.now();
    const lost = this.random() < o.lossRate;
    if (lost) this.retransmits++;
    const at = Math.max(now + o.latencyMs + (lost ? o.retransmitMs : 0), lane.lastDeliverAt);
    lane.lastDeliverAt = at;
    this.clock.later(() => {
      if (!this.alive(lane)) return;
      if (this.down) this.held.push(() => this.send(lane, deliver));
      else deliver();
    }, at - now);
  }

  /** The open connections' path is gone; new connections get a fresh one. */
  breakPath(): void {
    const broken = this.generation;
    this.generation++;
    this.clock.later(() => {
      for (const watcher of [...this.failWatchers]) watcher(broken);
    }, this.options.iceFailAfterMs);
  }

  /** Nothing gets through while down; held messages go once it is up again. */
  setDown(down: boolean): void {
    if (this.down === down) return;
    this.down = down;
    if (down) {
      const since = this.clock.now();
      this.clock.later(() => {
        // still down since then: ICE gives up on every connection of this generation
        if (this.down && this.downSince === since) for (const w of [...this.failWatchers]) w(this.generation);
      }, this.options.iceFailAfterMs);
      this.downSince = since;
      return;
    }
    this.downSince = undefined;
    for (const send of this.held.splice(0)) send();
  }

  private downSince: number | undefined;

  /** Calls `watcher(generation)` when ICE gives up on the connections of that generation. */
  onIceFailure(watcher: (generation: number) => void): () => void {
    this.failWatchers.add(watcher);
    return () => this.failWatchers.delete(watcher);
  }
}
