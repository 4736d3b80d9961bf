/**
 * The peers watching one stream: who they are, whom each was introduced to and negotiated links with,
 * what they last reported, and who was reported for sending bad chunks (BadPeerQuorum). Pure bookkeeping; sockets are the endpoint's business.
 */
import { BadPeerQuorum, type BadPeerQuorumOptions, type PeerReport, type TrackerToPeer } from '@xp2p/protocol';

export interface SwarmPeer {
  readonly id: string;
  readonly upload: boolean;
  readonly send: (message: TrackerToPeer) => void;
  /** ends this peer's socket (eviction) */
  readonly evict: (reason: string) => void;
  /** the address its socket comes from (distinct reporters of a bad peer are counted by address) */
  readonly address: string;
  /** peers this one was introduced to or exchanged signals with: they hear `peer-left` about it */
  readonly links: Set<string>;
  /** peers of this swarm this one sent signals to (through this tracker): half of a negotiated link */
  readonly signalled: Set<string>;
  report: PeerReport | undefined;
}

export interface ReportTotals {
  p2pBytes: number;
  cdnBytes: number;
  uploadBytes: number;
  stalls: number;
}

const zeroTotals = (): ReportTotals => ({ p2pBytes: 0, cdnBytes: 0, uploadBytes: 0, stalls: 0 });

function addReport(into: ReportTotals, report: PeerReport | undefined): void {
  if (!report) return;
  into.p2pBytes += report.p2pBytes;
  into.cdnBytes += report.cdnBytes;
  into.uploadBytes += report.uploadBytes;
  into.stalls += report.stalls;
}

/** Fisher–Yates on a copy; Math.random is fine here (neighbour choice is not a secret). */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export class Swarm {
  readonly stream: string;
  readonly #peers = new Map<string, SwarmPeer>();
  /** the last reports of peers that left still count in the stream's totals */
  readonly #departed = zeroTotals();
  /** `bad-peer` reports and when they evict */
  readonly badPeers: BadPeerQuorum;

  constructor(stream: string, quorum: Partial<BadPeerQuorumOptions> = {}) {
    this.stream = stream;
    this.badPeers = new BadPeerQuorum(quorum);
  }

  get size(): number {
    return this.#peers.size;
  }

  peer(id: string): SwarmPeer | undefined {
    return this.#peers.get(id);
  }

  peers(): IterableIterator<SwarmPeer> {
    return this.#peers.values();
  }

  add(peer: SwarmPeer): void {
    this.#peers.set(peer.id, peer);
  }

  /** Removes a peer; returns the ids of the peers still present that were linked to it. */
  remove(id: string): string[] {
    const peer = this.#peers.get(id);
    if (!peer) return [];
    this.#peers.delete(id);
    addReport(this.#departed, peer.report);
    const linked = [...peer.links].filter((other) => this.#peers.has(other));
    for (const other of linked) this.#peers.get(other)?.links.delete(id);
    for (const other of this.#peers.values()) other.signalled.delete(id);
    this.badPeers.forget(id);
    return linked;
  }

  link(a: SwarmPeer, b: SwarmPeer): void {
    a.links.add(b.id);
    b.links.add(a.id);
  }

  /** Peers of the swarm that negotiated a connection with `peer`. */
  partners(peer: SwarmPeer): number {
    let n = 0;
    for (const id of peer.links) {
      const other = this.#peers.get(id);
      if (other && this.negotiated(peer, other)) n++;
    }
    return n;
  }

  /** Whether `a` and `b` negotiated a connection through this tracker: each sent the other signals. */
  negotiated(a: SwarmPeer, b: SwarmPeer): boolean {
    return a.links.has(b.id) && a.signalled.has(b.id) && b.signalled.has(a.id);
  }

  /**
   * Up to `count` peers for `forId` to connect to: never itself or a peer it already knows; uploaders
   * first (a peer that does not upload cannot help), random within each group. A peer reported bad is
   * handed out as any other until it is evicted (reports alone never hide a peer: BadPeerQuorum).
   */
  pickNeighbours(forId: string, count: number): SwarmPeer[] {
    const self = this.#peers.get(forId);
    const candidates = [...this.#peers.values()].filter((p) => p.id !== forId && !self?.links.has(p.id));
    const uploaders = shuffled(candidates.filter((p) => p.upload));
    const others = shuffled(candidates.filter((p) => !p.upload));
    return [...uploaders, ...others].slice(0, count);
  }

  totals(): ReportTotals {
    const totals = { ...this.#departed };
    for (const peer of this.#peers.values()) addReport(totals, peer.report);
    return totals;
  }
}
