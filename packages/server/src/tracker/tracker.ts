/**
 * The 1vN tracker behind `/signal/peer`: one swarm per stream. A peer joins a live stream, gets an id and
 * neighbours (it offers to them), relays WebRTC signals to peers of its own swarm only, receives every
 * origin event of the stream, reports its figures, and may report a peer whose chunk failed its hash.
 */
import { peerToTrackerSchema, randomId, type PeerSignal, type PeerToTracker, type TrackerToPeer } from '@xp2p/protocol';
import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/schema.js';
import type { Origin } from '../origin/origin.js';
import { CLOSE_POLICY_VIOLATION, SignalChannel } from '../signal/channel.js';
import type { Hub } from '../signal/hub.js';
import { mixNeighbours, noFederation, type RemotePeerInfo, type SwarmFederation } from './federation.js';
import { Swarm, type ReportTotals, type SwarmPeer } from './swarm.js';

export interface SwarmStats extends ReportTotals {
  peers: number;
}

type Channel = SignalChannel<PeerToTracker, TrackerToPeer>;

/** What one tracker socket is: before `join` nothing, after it a member of one swarm. */
interface PeerSocket {
  app: AppConfig;
  /** the socket's remote address (bad-peer reporters are counted by address) */
  address: string;
  /** the Host header of its upgrade (which STUN host it can reach, see stun/advertised-stun.ts) */
  requestHost: string | undefined;
  channel: Channel;
  member: { swarm: Swarm; peer: SwarmPeer } | undefined;
  closed: boolean;
  /** messages wait here while an earlier one awaits the cluster (a join), so they are handled in order */
  queue: Promise<void> | undefined;
}

/** The refusal of a stream that is not live, does not exist, or belongs to another app: one text for all. */
const notLive = (name: string): string => `stream ${name} is not live`;

export class Tracker {
  readonly #hub: Hub;
  readonly #origin: Origin;
  readonly #swarms = new Map<string, Swarm>();
  readonly #unsubscribe: (() => void)[];
  readonly #federation: SwarmFederation;

  /**
   * `ownerOf`: the app that alone may join a stream (undefined: any app); by default the accounts database's
   * stream owners (accounts/stream-owners.ts).
   */
  readonly #ownerOf: (stream: string) => Promise<string | undefined>;
  constructor(
    hub: Hub,
    origin: Origin,
    federation: SwarmFederation = noFederation,
    ownerOf: (stream: string) => Promise<string | undefined> = (stream) => hub.accounts.streams.owner(stream),
  ) {
    this.#ownerOf = ownerOf;
    this.#hub = hub;
    this.#origin = origin;
    this.#federation = federation;
    this.#unsubscribe = [
      origin.onEvent((stream, event) => {
        const swarm = this.#swarms.get(stream);
        if (!swarm) return;
        for (const peer of swarm.peers()) peer.send({ type: 'origin', event });
      }),
      origin.onDrop((stream) => this.#forgetIfIdle(stream)),
    ];
  }

  /** A new app-signed `/signal/peer` socket from `address` (the client's address). */
  accept(ws: WebSocket, app: AppConfig, requestHost?: string, address = 'unknown'): void {
    const socket: PeerSocket = {
      app,
      requestHost,
      address,
      member: undefined,
      closed: false,
      queue: undefined,
      channel: new SignalChannel({
        ws,
        schema: peerToTrackerSchema,
        tuning: this.#hub.tuning,
        log: this.#hub.log,
        onRefused: (status) => this.#hub.metrics.refused('signal', status),
        label: () => `peer ${socket.member ? socket.member.peer.id.slice(0, 8) : '(not joined)'} of ${app.appid}`,
        onMessage: (message) => this.#receive(socket, message),
      }) as Channel,
    };
    ws.once('close', () => {
      socket.closed = true;
      this.#leave(socket, 'disconnected');
    });
    this.#hub.heartbeat.watch(ws);
  }

  /** Peers and summed reports of one stream's swarm (zeros when nobody ever joined). */
  stats(stream: string): SwarmStats {
    const swarm = this.#swarms.get(stream);
    if (!swarm) return { peers: 0, p2pBytes: 0, cdnBytes: 0, uploadBytes: 0, stalls: 0 };
    return { peers: swarm.size, ...swarm.totals() };
  }

  /** Streams that have (or had, while the stream is known) a swarm. */
  /** Peers connected to this node, over every swarm. */
  peerCount(): number {
    let n = 0;
    for (const swarm of this.#swarms.values()) n += swarm.size;
    return n;
  }

  swarmNames(): string[] {
    return [...this.#swarms.keys()];
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
  }

  /** A signal from a peer on another node to a peer of ours; false when we have no such peer. */
  deliverRemoteSignal(stream: string, fromPeer: string, toPeer: string, signal: PeerSignal): boolean {
    const target = this.#swarms.get(stream)?.peer(toPeer);
    if (!target) return false;
    target.links.add(fromPeer);
    target.send({ type: 'signal', from: fromPeer, signal });
    return true;
  }

  /** A peer on another node left: our peers linked to it hear `peer-left`. */
  remotePeerLeft(stream: string, peerId: string, to: readonly string[]): void {
    const swarm = this.#swarms.get(stream);
    for (const id of to) {
      const peer = swarm?.peer(id);
      if (peer?.links.delete(peerId)) peer.send({ type: 'peer-left', peerId });
    }
  }

  #receive(socket: PeerSocket, message: PeerToTracker): void {
    const run = (): Promise<void> | void => this.#handle(socket, message);
    const fail = (err: unknown): void => this.#hub.log(`tracker: ${message.type} failed: ${String(err)}`);
    const enqueue = (work: Promise<void>): void => {
      const queue: Promise<void> = work.catch(fail).finally(() => {
        if (socket.queue === queue) socket.queue = undefined; // idle again: the next message runs at once
      });
      socket.queue = queue;
    };
    if (socket.queue) return enqueue(socket.queue.then(run));
    const pending = run();
    if (pending) enqueue(pending);
  }

  #handle(socket: PeerSocket, message: PeerToTracker): Promise<void> | void {
    const { channel } = socket;
    if (message.type === 'ping') return; // answered by the channel
    if (message.type === 'join') return this.#join(socket, message.stream, message.upload);
    const member = socket.member;
    // An evicted peer is out of its swarm before its socket finishes closing.
    if (!member || member.swarm.peer(member.peer.id) !== member.peer) {
      socket.member = undefined;
      return channel.sendError(409, 'join a stream first');
    }
    const { swarm, peer } = member;
    switch (message.type) {
      case 'signal': {
        const target = swarm.peer(message.to);
        if (target === peer) return channel.sendError(404, `no peer ${message.to} in this swarm`);
        if (!target) {
          // Maybe a peer on another node. Not awaited: the bus keeps this socket's signals in order.
          // Linked first, so a `peer-left` answer (that peer is gone there too) finds the link.
          peer.links.add(message.to);
          void this.#federation.relaySignal(swarm.stream, peer.id, message.to, message.signal).then((relayed) => {
            if (relayed) return;
            peer.links.delete(message.to);
            channel.sendError(404, `no peer ${message.to} in this swarm`);
          });
          return;
        }
        swarm.link(peer, target);
        peer.signalled.add(target.id);
        target.send({ type: 'signal', from: peer.id, signal: message.signal });
        return;
      }
      case 'report':
        peer.report = message.report;
        this.#federation.reported(swarm.stream);
        return;
      case 'bad-peer':
        return this.#badPeer(swarm, peer, message.peerId, message.seq, message.reason);
      case 'more-peers':
        return this.#withRemote(swarm.stream, (remote) =>
          channel.send({ type: 'peers', ...peerList(this.#introduce(swarm, peer, remote)) }),
        );
      case 'leave':
        return this.#leave(socket, 'left');
    }
  }

  /** Runs `then` with the stream's peers on other nodes: at once when alone, after a lookup in a cluster. */
  #withRemote(stream: string, then: (remote: RemotePeerInfo[]) => void): Promise<void> | void {
    const remote = this.#federation.remoteMembers(stream);
    if (Array.isArray(remote)) return then(remote);
    return remote.then(then, (err: unknown) => {
      this.#hub.log(`tracker: peers of ${stream} on other nodes unknown (${String(err)})`);
      then([]);
    });
  }

  async #join(socket: PeerSocket, name: string, upload: boolean): Promise<void> {
    if (socket.member)
      return socket.channel.sendError(409, `already joined stream ${socket.member.swarm.stream}, leave first`);
    // Another app's stream gets the answer of a stream that does not exist (accounts/stream-owners.ts).
    const owner = await this.#ownerOf(name);
    if (socket.closed) return;
    if (owner !== undefined && owner !== socket.app.appid) return socket.channel.sendError(404, notLive(name));
    // A stream published on another node is mirrored here first (cluster); alone this is synchronous.
    const prepared = this.#federation.prepare(name);
    const admit = (): Promise<void> | void =>
      this.#withRemote(name, (remote) => {
        if (!socket.closed) this.#admit(socket, name, upload, remote);
      });
    if (!prepared) return admit();
    return prepared.then(admit);
  }

  #admit(socket: PeerSocket, name: string, upload: boolean, remote: RemotePeerInfo[]): void {
    const { channel } = socket;
    if (socket.member)
      return channel.sendError(409, `already joined stream ${socket.member.swarm.stream}, leave first`);
    const stream = this.#origin.stream(name);
    const init = stream?.init;
    if (!stream?.live || !init) return channel.sendError(404, notLive(name));
    let swarm = this.#swarms.get(name);
    if (!swarm) {
      const t = this.#hub.tuning;
      swarm = new Swarm(name, {
        minQuorum: t.badPeerMinQuorum,
        quorumShare: t.badPeerQuorumShare,
        reportsPerWindow: t.badPeerReportsPerMinute,
        windowMs: 60_000,
      });
      this.#swarms.set(name, swarm);
    }
    if (swarm.size >= this.#hub.tuning.maxPeersPerSwarm) {
      return channel.sendError(503, `stream ${name} has too many peers, try later`);
    }
    const peer: SwarmPeer = {
      id: randomId(16),
      upload,
      send: (message) => channel.send(message),
      evict: (reason) => {
        channel.sendError(403, `evicted: ${reason}`);
        channel.close(CLOSE_POLICY_VIOLATION, 'evicted');
      },
      address: socket.address,
      links: new Set(),
      signalled: new Set(),
      report: undefined,
    };
    swarm.add(peer);
    socket.member = { swarm, peer };
    this.#federation.joined(name, peer.id, upload);
    const picked = this.#introduce(swarm, peer, remote);
    const neighbours = picked.map((p) => p.id);
    channel.send({
      type: 'joined',
      peerId: peer.id,
      // per signalling session, not per app: one leaked credential names (and costs) one session
      iceServers: this.#hub.iceServers(`${socket.app.appid}.${randomId(8)}`, socket.requestHost),
      epoch: stream.epoch,
      init: init.meta,
      targetChunkMs: stream.targetChunkMs,
      ...peerList(picked),
    });
    // ... and the newcomer to them: each peer's seed election ranks itself among the peers it knows, so
    // the more of the swarm every peer knows, the closer to one origin fetch per chunk
    for (const id of neighbours) swarm.peer(id)?.send({ type: 'peers', ...peerList([peer]) });
    // Where to start: the chunks from the latest keyframe on, as the announcements they were.
    for (const chunk of stream.fromLatestKeyframe()) {
      channel.send({ type: 'origin', event: { type: 'chunk', epoch: stream.epoch, chunk: chunk.meta } });
    }
    this.#hub.log(`peer ${peer.id.slice(0, 8)} joined ${name} (${swarm.size} peers, upload ${upload})`);
  }

  /**
   * Picks fresh neighbours (here and, in a cluster, on other nodes) and links them, so either side hears
   * `peer-left` about the other.
   */
  #introduce(swarm: Swarm, peer: SwarmPeer, remote: readonly RemotePeerInfo[]): RemotePeerInfo[] {
    const count = this.#hub.tuning.trackerNeighbours;
    const fresh = remote.filter((r) => r.id !== peer.id && !peer.links.has(r.id));
    if (fresh.length === 0) {
      const picked = swarm.pickNeighbours(peer.id, count);
      for (const other of picked) swarm.link(peer, other);
      return picked;
    }
    const picked = mixNeighbours(swarm.pickNeighbours(peer.id, Number.MAX_SAFE_INTEGER), fresh, count);
    for (const other of picked) {
      const local = swarm.peer(other.id);
      if (local) swarm.link(peer, local);
      else peer.links.add(other.id);
    }
    return picked;
  }

  /** A report counts only from a linked peer, within its budget; a quorum of distinct addresses evicts. */
  #badPeer(swarm: Swarm, reporter: SwarmPeer, accusedId: string, seq: number, reason: string): void {
    const accused = swarm.peer(accusedId);
    if (!accused || accused === reporter)
      return reporter.send({ type: 'error', status: 404, message: `no peer ${accusedId} in this swarm` });
    const verdict = swarm.badPeers.report({
      reporter: reporter.id,
      address: reporter.address,
      accused: accused.id,
      linked: swarm.negotiated(reporter, accused),
      size: swarm.size,
      partners: swarm.partners(accused),
      now: Date.now(),
    });
    const who = `peer ${accused.id.slice(0, 8)} of ${swarm.stream}`;
    if (verdict === 'not-linked')
      return reporter.send({ type: 'error', status: 403, message: `report refused: not linked to ${accusedId}` });
    if (verdict === 'rate-limited')
      return reporter.send({ type: 'error', status: 429, message: 'report refused: too many reports' });
    this.#hub.log(
      `${who} reported by ${reporter.id.slice(0, 8)} (chunk ${seq}: ${reason.slice(0, 100)}); ` +
        `${swarm.badPeers.reporters(accused.id)} reporter(s), quorum ${swarm.badPeers.quorum(swarm.size)}`,
    );
    if (verdict !== 'evict') return;
    this.#hub.log(`${who} evicted: bad chunks`);
    this.#remove(swarm, accused);
    accused.evict('reported for bad chunks by a quorum of linked peers');
  }

  #leave(socket: PeerSocket, why: string): void {
    const member = socket.member;
    if (!member) return;
    socket.member = undefined;
    this.#remove(member.swarm, member.peer);
    this.#hub.log(`peer ${member.peer.id.slice(0, 8)} ${why} ${member.swarm.stream} (${member.swarm.size} peers)`);
  }

  #remove(swarm: Swarm, peer: SwarmPeer): void {
    if (swarm.peer(peer.id) !== peer) return;
    for (const id of swarm.remove(peer.id)) swarm.peer(id)?.send({ type: 'peer-left', peerId: peer.id });
    // What is left in its links are peers on other nodes (local ones were unlinked by swarm.remove).
    this.#federation.left(
      swarm.stream,
      peer.id,
      [...peer.links].filter((id) => !swarm.peer(id)),
    );
    this.#forgetIfIdle(swarm.stream);
  }

  /** A swarm without peers whose stream is gone from the origin has nothing left to count. */
  #forgetIfIdle(stream: string): void {
    const swarm = this.#swarms.get(stream);
    if (swarm && swarm.size === 0 && !this.#origin.stream(stream)) this.#swarms.delete(stream);
  }
}

/**
 * Peers to hand out, with the ones that joined with upload off named (`noUpload`): a peer leaves those out
 * of its seeding order from the start instead of after their `hello`, so seed elections agree sooner.
 */
function peerList(peers: readonly RemotePeerInfo[]): { neighbours: string[]; noUpload?: string[] } {
  const noUpload = peers.filter((p) => !p.upload).map((p) => p.id);
  return noUpload.length > 0
    ? { neighbours: peers.map((p) => p.id), noUpload }
    : { neighbours: peers.map((p) => p.id) };
}
