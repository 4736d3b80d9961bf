/**
 * The tracker's federation over the cluster (tracker/federation.ts): a stream published elsewhere is
 * mirrored here before a peer joins it; each node lists its peers per stream in Redis, so a joining peer
 * gets neighbours on every node; signals and peer-left between nodes go through the bus (the same Redis
 * pub/sub as 1v1 signalling); each node writes its swarm figures so any node can sum them.
 */
import type { PeerSignal } from '@xp2p/protocol';
import type { RemotePeerInfo, SwarmFederation } from './federation.js';
import type { Tracker } from './tracker.js';
import type { BusMessage, Cluster, SwarmFigures } from '../cluster/cluster.js';
import type { StreamMirrors } from '../cluster/stream-mirror.js';

/** Peers sampled from each other node when a peer joins or asks for more (its neighbours come from these). */
const SAMPLE_PER_NODE = 64;
/** Remembered peer → node pairs per stream (refreshed by every lookup and every relayed signal). */
const MAX_KNOWN_PEERS = 10_000;

export class ClusterSwarmFederation implements SwarmFederation {
  readonly #cluster: Cluster;
  readonly #mirrors: StreamMirrors;
  readonly #figures: (stream: string) => SwarmFigures;
  readonly #log: (line: string) => void;
  readonly #figuresIntervalMs: number;
  /** stream → peer id → node, for peers on other nodes */
  readonly #nodeOf = new Map<string, Map<string, string>>();
  readonly #figureTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    cluster: Cluster,
    mirrors: StreamMirrors,
    figures: (stream: string) => SwarmFigures,
    log: (line: string) => void,
    /** figures go to Redis at most this often per stream: tuning.swarmFiguresIntervalMs */
    figuresIntervalMs: number,
  ) {
    this.#cluster = cluster;
    this.#mirrors = mirrors;
    this.#figures = figures;
    this.#log = log;
    this.#figuresIntervalMs = figuresIntervalMs;
  }

  prepare(stream: string): Promise<void> | undefined {
    if (!this.#mirrors.wanted(stream)) return undefined;
    return this.#mirrors.ensure(stream).then(
      () => {},
      (err: unknown) => this.#log(`tracker: cannot look for stream ${stream} in the cluster: ${String(err)}`),
    );
  }

  async remoteMembers(stream: string): Promise<RemotePeerInfo[]> {
    const members = await this.#cluster.swarmMembers(stream, SAMPLE_PER_NODE);
    for (const m of members) this.#remember(stream, m.id, m.node);
    return members.map(({ id, upload }) => ({ id, upload }));
  }

  joined(stream: string, peerId: string, upload: boolean): void {
    this.#cluster.swarmJoined(stream, peerId, upload);
    this.reported(stream);
  }

  left(stream: string, peerId: string, linkedRemote: string[]): void {
    this.#cluster.swarmLeft(stream, peerId);
    this.reported(stream);
    const byNode = new Map<string, string[]>();
    for (const id of linkedRemote) {
      const node = this.#nodeOf.get(stream)?.get(id);
      if (node) byNode.set(node, [...(byNode.get(node) ?? []), id]);
    }
    for (const [node, to] of byNode) {
      void this.#cluster.send(node, { t: 'peer-left', from: this.#cluster.nodeId, stream, peerId, to });
    }
  }

  async relaySignal(stream: string, fromPeer: string, toPeer: string, signal: PeerSignal): Promise<boolean> {
    let node = this.#nodeOf.get(stream)?.get(toPeer);
    if (!node) {
      node = await this.#cluster.swarmPeerNode(stream, toPeer).catch(() => undefined);
      if (!node) return false;
      this.#remember(stream, toPeer, node);
    }
    return this.#cluster.send(node, { t: 'peer-signal', from: this.#cluster.nodeId, stream, fromPeer, toPeer, signal });
  }

  reported(stream: string): void {
    if (this.#figureTimers.has(stream)) return; // a write is due soon and will carry this change
    this.#cluster.putSwarmFigures(stream, this.#figures(stream));
    const timer = setTimeout(() => {
      this.#figureTimers.delete(stream);
      this.#cluster.putSwarmFigures(stream, this.#figures(stream));
    }, this.#figuresIntervalMs);
    timer.unref();
    this.#figureTimers.set(stream, timer);
  }

  /** Handles the bus messages meant for the tracker; false for any other message. */
  handle(tracker: Tracker, message: BusMessage): boolean {
    if (message.t === 'peer-signal') {
      this.#remember(message.stream, message.fromPeer, message.from);
      if (!tracker.deliverRemoteSignal(message.stream, message.fromPeer, message.toPeer, message.signal)) {
        // That peer left (the sender's list was older than its departure): the sender hears peer-left.
        const { stream, toPeer, fromPeer } = message;
        void this.#cluster.send(message.from, {
          t: 'peer-left',
          from: this.#cluster.nodeId,
          stream,
          peerId: toPeer,
          to: [fromPeer],
        });
      }
      return true;
    }
    if (message.t === 'peer-left') {
      this.#nodeOf.get(message.stream)?.delete(message.peerId);
      tracker.remotePeerLeft(message.stream, message.peerId, message.to);
      return true;
    }
    return false;
  }

  close(): void {
    for (const timer of this.#figureTimers.values()) clearTimeout(timer);
    this.#figureTimers.clear();
  }

  #remember(stream: string, peerId: string, node: string): void {
    let known = this.#nodeOf.get(stream);
    if (!known) this.#nodeOf.set(stream, (known = new Map()));
    known.delete(peerId); // re-insert: oldest first, for the bound below
    known.set(peerId, node);
    if (known.size > MAX_KNOWN_PEERS) known.delete(known.keys().next().value!);
  }
}
