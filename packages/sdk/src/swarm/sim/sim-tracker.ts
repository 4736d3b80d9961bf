/**
 * A simple in-memory tracker: hands a joining peer up to `handOut` random live peers, naming those that do
 * not upload (and announces it to as many), forwards the
 * origin's announcements to every peer after its latency, tells everyone when a peer leaves, answers
 * `more-peers`, and stops handing out peers reported as bad.
 */
import type { OriginEvent } from '@xp2p/protocol';
import type { SwarmPeer } from '../engine/swarm-peer.js';
import type { VirtualClock } from './virtual-clock.js';

interface Member {
  engine: SwarmPeer;
  latencyMs: number;
  /** what the peer said at join, as the real tracker hears it */
  upload: boolean;
}

export class SimTracker {
  private readonly members = new Map<string, Member>();
  readonly badReports = new Map<string, number>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: () => number,
    private readonly handOut: number,
    /** false: leave `noUpload` out, as an older tracker does */
    private readonly namesNoUpload = true,
  ) {}

  /** Peers for a newcomer (or for `more-peers`), not including itself. */
  sample(exclude: string): string[] {
    const ids = [...this.members.keys()].filter((id) => id !== exclude && (this.badReports.get(id) ?? 0) === 0);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    return ids.slice(0, this.handOut);
  }

  /**
   * A newcomer is announced (`peers`) to up to `handOut` members, the mirror of what the newcomer is handed:
   * in a swarm of up to `handOut` peers everyone knows everyone, which keeps seed elections tight.
   */
  add(id: string, engine: SwarmPeer, latencyMs: number, upload: boolean): void {
    const noUpload = upload || !this.namesNoUpload ? undefined : [id];
    for (const other of this.sample(id)) {
      const m = this.members.get(other);
      if (m) this.clock.setTimeout(() => m.engine.addPeers([id], noUpload), m.latencyMs + latencyMs);
    }
    this.members.set(id, { engine, latencyMs, upload });
  }

  /** Those of `ids` that joined with upload off (the tracker's `noUpload`). */
  noUpload(ids: readonly string[]): string[] {
    return this.namesNoUpload ? ids.filter((id) => this.members.get(id)?.upload === false) : [];
  }

  remove(id: string): void {
    if (!this.members.delete(id)) return;
    for (const m of this.members.values()) this.clock.setTimeout(() => m.engine.peerLeft(id), m.latencyMs);
  }

  morePeers(id: string): void {
    const m = this.members.get(id);
    if (m) {
      const ids = this.sample(id);
      const noUpload = this.noUpload(ids);
      this.clock.setTimeout(() => m.engine.addPeers(ids, noUpload), 2 * m.latencyMs);
    }
  }

  reportBad(peerId: string): void {
    this.badReports.set(peerId, (this.badReports.get(peerId) ?? 0) + 1);
  }

  broadcast(ev: OriginEvent): void {
    for (const m of this.members.values()) this.clock.setTimeout(() => m.engine.originEvent(ev), m.latencyMs);
  }
}
