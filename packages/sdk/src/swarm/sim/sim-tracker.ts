/**
 * A simple in-memory tracker: hands a joining peer up to `handOut` random live peers, naming those that do
 * not upload (and announces it to as many), forwards the
 * origin's announcements to every peer after its latency, tells everyone when a peer leaves, answers
 * `more-peers`, and judges `bad-peer` reports by the server tracker's rule (protocol's BadPeerQuorum): a
 * report counts from a peer linked to the accused (both ends opened the link), and a quorum of distinct
 * reporters (every simulated peer has its own address) evicts.
 */
import { BadPeerQuorum, type BadPeerQuorumOptions, type OriginEvent } from '@xp2p/protocol';
import type { SwarmPeer } from '../engine/swarm-peer.js';
import type { VirtualClock } from './virtual-clock.js';

/** What the tracker calls on a member. */
export type SimMember = Pick<SwarmPeer, 'originEvent' | 'addPeers' | 'peerLeft'>;

interface Member {
  engine: SimMember;
  latencyMs: number;
  /** what the peer said at join, as the real tracker hears it */
  upload: boolean;
}

export class SimTracker {
  private readonly members = new Map<string, Member>();
  /** reports filed against each peer (whatever became of them) */
  readonly badReports = new Map<string, number>();
  private readonly quorum: BadPeerQuorum;
  /** links each peer opened (its engine's peer-join) */
  private readonly links = new Map<string, Set<string>>();
  /** called when a quorum evicts a peer (the run removes it) */
  onEvict: (id: string) => void = () => {};

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: () => number,
    private readonly handOut: number,
    /** false: leave `noUpload` out, as an older tracker does */
    private readonly namesNoUpload = true,
    quorum: Partial<BadPeerQuorumOptions> = {},
  ) {
    this.quorum = new BadPeerQuorum(quorum);
  }

  /** Peers for a newcomer (or for `more-peers`), not including itself. */
  sample(exclude: string): string[] {
    const ids = [...this.members.keys()].filter((id) => id !== exclude);
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
  add(id: string, engine: SimMember, latencyMs: number, upload: boolean): void {
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
    this.quorum.forget(id);
    this.links.delete(id);
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

  /** `a` opened a link to `b` (its engine's peer-join). */
  noteLink(a: string, b: string): void {
    let set = this.links.get(a);
    if (!set) this.links.set(a, (set = new Set()));
    set.add(b);
  }

  /** Both ends opened the link (each engine's peer-join): the simulator's "negotiated through the tracker". */
  private linked(a: string, b: string): boolean {
    return (this.links.get(a)?.has(b) ?? false) && (this.links.get(b)?.has(a) ?? false);
  }

  reportBad(reporter: string, accused: string): void {
    this.badReports.set(accused, (this.badReports.get(accused) ?? 0) + 1);
    if (!this.members.has(accused) || !this.members.has(reporter)) return;
    const verdict = this.quorum.report({
      reporter,
      address: reporter,
      accused,
      linked: this.linked(reporter, accused),
      size: this.members.size,
      partners: [...(this.links.get(accused) ?? [])].filter((p) => this.members.has(p) && this.linked(accused, p))
        .length,
      now: this.clock.now(),
    });
    if (verdict === 'evict') this.onEvict(accused);
  }

  broadcast(ev: OriginEvent): void {
    for (const m of this.members.values()) this.clock.setTimeout(() => m.engine.originEvent(ev), m.latencyMs);
  }
}
