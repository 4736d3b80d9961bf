/**
 * Neighbour links: whom we know (tracker hand-outs, incoming links), keeping `targetLinks` links open
 * (asking the tracker for more peers below `minLinks`), accepting incoming links up to `maxLinks`, one link
 * per pair when both sides connect at once (the one opened by the smaller id stays, on both sides alike),
 * the `hello` that opens each link, and what a closed link leaves behind (its requests go elsewhere).
 */
import type { InboundMessages } from './inbound.js';
import { Neighbour } from './neighbour.js';
import type { PeerCore } from './peer-core.js';
import { idHash } from './seed-rank.js';
import type { MeshLink } from './types.js';
import { toRanges } from './wire.js';

export class Links {
  private readonly connecting = new Set<string>();
  private readonly unreachableUntil = new Map<string, number>();
  /** failed connects in a row, per peer: sets how long until the next try */
  private readonly failedConnects = new Map<string, number>();
  /** links that came before join() (between the tracker's `joined` and our manifest read) */
  private readonly earlyLinks: MeshLink[] = [];
  private lastMorePeersAt = -Infinity;

  constructor(
    private readonly core: PeerCore,
    private readonly inbound: InboundMessages,
  ) {
    // a neighbour may reach us between the tracker's `joined` and our join() (manifest read): keep its link
    core.io.mesh.onIncoming = (link) => (core.selfId ? this.attach(link, false) : this.earlyLinks.push(link));
  }

  /** We joined: the links that came early are taken now. */
  attachEarly(): void {
    for (const link of this.earlyLinks.splice(0)) this.attach(link, false);
  }

  /** `noUpload`: those of `ids` the tracker says do not upload (left out of our seeding order at once). */
  addPeers(ids: readonly string[], noUpload?: readonly string[]): void {
    for (const id of ids) this.learn(id);
    for (const id of noUpload ?? []) if (this.core.known.has(id)) this.core.nonUploaders.add(id);
    this.maintainLinks();
  }

  peerLeft(id: string): void {
    this.core.known.delete(id);
    this.core.nonUploaders.delete(id);
    this.failedConnects.delete(id);
    const n = this.core.neighbours.get(id);
    if (n) {
      n.link.close();
      this.detach(n, 'left the swarm');
    }
  }

  maintainLinks(): void {
    const core = this.core;
    if (core.stopped || !core.selfId) return;
    const now = core.now();
    let slots = core.opts.targetLinks - core.neighbours.size - this.connecting.size;
    for (const id of core.known.keys()) {
      if (slots <= 0) break;
      if (core.neighbours.has(id) || this.connecting.has(id)) continue;
      if ((this.unreachableUntil.get(id) ?? 0) > now) continue;
      slots--;
      this.connectTo(id);
    }
    if (
      core.neighbours.size + this.connecting.size < core.opts.minLinks &&
      now - this.lastMorePeersAt >= core.opts.morePeersIntervalMs
    ) {
      this.lastMorePeersAt = now;
      core.emit({ type: 'more-peers' });
    }
  }

  detach(n: Neighbour, reason: string): void {
    const core = this.core;
    if (core.neighbours.get(n.id) !== n) return;
    core.neighbours.delete(n.id);
    for (const seq of [...n.requested]) {
      const c = core.chunks.get(seq);
      for (const t of c?.transfers.filter((x) => x.from === n) ?? []) core.calls.clearPeerFetch(c!, t);
    }
    core.uploader.forget(n);
    core.emit({ type: 'peer-leave', peerId: n.id, reason });
    if (!core.stopped) {
      this.maintainLinks();
      core.calls.schedule();
    }
  }

  /** Drop it and leave it out of our seeding order; it is linked again only if the tracker hands it out later. */
  shun(n: Neighbour, ms: number, reason: string): void {
    this.unreachableUntil.set(n.id, this.core.now() + ms);
    this.core.known.delete(n.id);
    this.core.nonUploaders.delete(n.id);
    n.link.close();
    this.detach(n, reason);
  }

  private learn(id: string): void {
    const core = this.core;
    if (id === core.selfId || core.banned.has(id) || core.known.has(id)) return;
    core.known.set(id, idHash(id));
  }

  private connectTo(id: string): void {
    this.connecting.add(id);
    this.core.io.mesh.connect(id).then(
      (link) => {
        this.connecting.delete(id);
        this.failedConnects.delete(id);
        this.attach(link, true);
      },
      () => {
        this.connecting.delete(id);
        const failures = (this.failedConnects.get(id) ?? 0) + 1;
        this.failedConnects.set(id, failures);
        const { reconnectFirstMs, reconnectAfterMs } = this.core.opts;
        const waitMs = Math.min(reconnectAfterMs, reconnectFirstMs * 2 ** (failures - 1));
        this.unreachableUntil.set(id, this.core.now() + waitMs);
      },
    );
  }

  private attach(link: MeshLink, outgoing: boolean): void {
    const core = this.core;
    const id = link.peerId;
    if (core.stopped || core.banned.has(id) || id === core.selfId) return link.close();
    const existing = core.neighbours.get(id);
    if (existing) {
      // both sides opened a link at once: keep the one opened by the smaller id, on both sides alike
      const initiator = (n: { outgoing: boolean }) => (n.outgoing ? core.selfId : id);
      if (initiator({ outgoing }) < initiator(existing)) {
        existing.link.close();
        this.detach(existing, 'duplicate link');
      } else return link.close();
    } else if (!outgoing && core.neighbours.size >= core.opts.maxLinks) return link.close();
    this.learn(id);
    const n = new Neighbour(link, outgoing);
    core.neighbours.set(id, n);
    link.onMessage = (data) => this.inbound.onMessage(n, data);
    link.onClose = () => this.detach(n, 'link closed');
    link.onBufferedLow = () => core.uploader.drained(n);
    const held = core.io.upload ? [...core.chunks.values()].filter((c) => c.data).map((c) => c.meta.seq) : [];
    core.sendTo(n, { type: 'hello', v: 1, have: toRanges(held), upload: core.io.upload });
    core.emit({ type: 'peer-join', peerId: id });
  }
}
