/**
 * When a tracker may evict a 1vN peer that others report for bytes that failed their hash (`bad-peer`).
 * One rule for the server's tracker and the simulator's, so what the simulator measures is what runs.
 *
 * Before (issue 13): any member could report any peer, two reports evicted it and one hid it, so one
 * peer with two sockets could empty a swarm. Now a report counts only when
 * - the reporter is linked to the accused: the tracker introduced them or relayed their signals, and both
 *   sides sent signals to each other through it (a connection was negotiated; the tracker can check
 *   this, as it relayed them). It cannot check that bytes flowed, nor which bytes: that needs pieces
 *   signed by their sender, not done;
 * - the reporter is within its report budget (`reportsPerWindow` per `windowMs`), and each reporter
 *   counts once per accused;
 * and the accused is evicted only when reporters from `quorum(size)` distinct addresses stand behind it:
 * max(`minQuorum`, ⌈`quorumShare` × swarm size⌉), more than a third of the swarm by default, and they are
 * more than half of the peers it negotiated links with. Attackers under a third of the swarm's addresses
 * cannot evict an honest peer however they coordinate, nor can attackers that are the larger part of a
 * small swarm (its first joiners) unless they are also most of their victim's partners. Until then the
 * accused is handed out as before: reports never hide a peer (the reporter itself dropped it anyway).
 */

export interface BadPeerQuorumOptions {
  /** evictions never need fewer distinct reporter addresses than this */
  minQuorum: number;
  /** ... nor fewer than this share of the swarm's members */
  quorumShare: number;
  /** reports one peer may file per window; later ones are refused */
  reportsPerWindow: number;
  windowMs: number;
}

export const BAD_PEER_QUORUM_DEFAULTS: BadPeerQuorumOptions = /* @__PURE__ */ Object.freeze({
  minQuorum: 3,
  quorumShare: 1 / 3,
  reportsPerWindow: 3,
  windowMs: 60_000,
});

/** What became of a report. */
export type BadPeerVerdict =
  /** the reporter is not linked to the accused (or reports itself): ignored */
  | 'not-linked'
  /** over the reporter's budget: ignored */
  | 'rate-limited'
  /** this reporter already reported this peer: counted once */
  | 'repeated'
  /** counted; not enough distinct addresses yet */
  | 'counted'
  /** counted, and the quorum is reached: evict the accused */
  | 'evict';

export class BadPeerQuorum {
  private readonly opts: BadPeerQuorumOptions;
  /** accused → reporter → reporter's address */
  private readonly reports = new Map<string, Map<string, string>>();
  /** reporter → times of its recent reports */
  private readonly recent = new Map<string, number[]>();

  constructor(options: Partial<BadPeerQuorumOptions> = {}) {
    this.opts = { ...BAD_PEER_QUORUM_DEFAULTS, ...options };
  }

  /** Distinct reporter addresses an eviction needs in a swarm of `size` members. */
  quorum(size: number): number {
    return Math.max(this.opts.minQuorum, Math.ceil(this.opts.quorumShare * size));
  }

  /**
   * A report of `accused` by `reporter` (from `address`), in a swarm of `size` members; `linked`: whether
   * the tracker saw the two negotiate a connection (see the header).
   */
  report(r: {
    reporter: string;
    address: string;
    accused: string;
    linked: boolean;
    size: number;
    /** peers the accused negotiated links with (the reporter among them) */
    partners: number;
    now: number;
  }): BadPeerVerdict {
    if (!r.linked || r.reporter === r.accused) return 'not-linked';
    const times = (this.recent.get(r.reporter) ?? []).filter((t) => r.now - t < this.opts.windowMs);
    if (times.length >= this.opts.reportsPerWindow) {
      this.recent.set(r.reporter, times);
      return 'rate-limited';
    }
    times.push(r.now);
    this.recent.set(r.reporter, times);
    let against = this.reports.get(r.accused);
    if (!against) this.reports.set(r.accused, (against = new Map()));
    if (against.has(r.reporter)) return 'repeated';
    against.set(r.reporter, r.address);
    const addresses = new Set(against.values()).size;
    return addresses >= this.quorum(r.size) && against.size * 2 > r.partners ? 'evict' : 'counted';
  }

  /** Distinct peers that reported `accused` (counted reports). */
  reporters(accused: string): number {
    return this.reports.get(accused)?.size ?? 0;
  }

  /** A peer left or was evicted: its reports and the reports about it go. */
  forget(peer: string): void {
    this.reports.delete(peer);
    this.recent.delete(peer);
    for (const against of this.reports.values()) against.delete(peer);
  }
}
