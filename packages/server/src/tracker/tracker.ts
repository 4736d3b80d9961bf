/**
 * The 1vN tracker behind `/signal/peer`: one swarm per stream. A peer joins a live stream, gets an id and
 * neighbours (it offers to them), relays WebRTC signals to peers of its own swarm only, receives every
 * origin event of the stream, reports its figures, and may report a peer whose chunk failed its hash.
 */
import { peerToTrackerSchema, randomId, type PeerToTracker, type TrackerToPeer } from '@xp2p/protocol';
import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/schema.js';
import type { Origin } from '../origin/origin.js';
import { CLOSE_POLICY_VIOLATION, SignalChannel } from '../signal/channel.js';
import type { Hub } from '../signal/hub.js';
import { Swarm, type ReportTotals, type SwarmPeer } from './swarm.js';

export interface SwarmStats extends ReportTotals {
  peers: number;
}

type Channel = SignalChannel<PeerToTracker, TrackerToPeer>;

/** What one tracker socket is: before `join` nothing, after it a member of one swarm. */
interface PeerSocket {
  app: AppConfig;
  channel: Channel;
  member: { swarm: Swarm; peer: SwarmPeer } | undefined;
}

export class Tracker {
  readonly #hub: Hub;
  readonly #origin: Origin;
  readonly #swarms = new Map<string, Swarm>();
  readonly #unsubscribe: (() => void)[];

  constructor(hub: Hub, origin: Origin) {
    this.#hub = hub;
    this.#origin = origin;
    this.#unsubscribe = [
      origin.onEvent((stream, event) => {
        const swarm = this.#swarms.get(stream);
        if (!swarm) return;
        for (const peer of swarm.peers()) peer.send({ type: 'origin', event });
      }),
      origin.onDrop((stream) => this.#forgetIfIdle(stream)),
    ];
  }

  /** A new app-signed `/signal/peer` socket. */
  accept(ws: WebSocket, app: AppConfig): void {
    const socket: PeerSocket = {
      app,
      member: undefined,
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
    ws.once('close', () => this.#leave(socket, 'disconnected'));
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

  #receive(socket: PeerSocket, message: PeerToTracker): void {
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
        if (!target || target === peer) return channel.sendError(404, `no peer ${message.to} in this swarm`);
        swarm.link(peer, target);
        target.send({ type: 'signal', from: peer.id, signal: message.signal });
        return;
      }
      case 'report':
        peer.report = message.report;
        return;
      case 'bad-peer':
        return this.#badPeer(swarm, peer, message.peerId, message.seq, message.reason);
      case 'more-peers':
        return channel.send({ type: 'peers', neighbours: this.#introduce(swarm, peer) });
      case 'leave':
        return this.#leave(socket, 'left');
    }
  }

  #join(socket: PeerSocket, name: string, upload: boolean): void {
    const { channel } = socket;
    if (socket.member)
      return channel.sendError(409, `already joined stream ${socket.member.swarm.stream}, leave first`);
    const stream = this.#origin.stream(name);
    const init = stream?.init;
    if (!stream?.live || !init) return channel.sendError(404, `stream ${name} is not live`);
    let swarm = this.#swarms.get(name);
    if (!swarm) {
      swarm = new Swarm(name);
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
      links: new Set(),
      badReporters: new Set(),
      report: undefined,
    };
    swarm.add(peer);
    socket.member = { swarm, peer };
    const neighbours = this.#introduce(swarm, peer);
    channel.send({
      type: 'joined',
      peerId: peer.id,
      iceServers: this.#hub.iceServers(socket.app.appid),
      epoch: stream.epoch,
      init: init.meta,
      targetChunkMs: stream.targetChunkMs,
      neighbours,
    });
    // ... and the newcomer to them: each peer's seed election ranks itself among the peers it knows, so
    // the more of the swarm every peer knows, the closer to one origin fetch per chunk
    for (const id of neighbours) swarm.peer(id)?.send({ type: 'peers', neighbours: [peer.id] });
    // Where to start: the chunks from the latest keyframe on, as the announcements they were.
    for (const chunk of stream.fromLatestKeyframe()) {
      channel.send({ type: 'origin', event: { type: 'chunk', epoch: stream.epoch, chunk: chunk.meta } });
    }
    this.#hub.log(`peer ${peer.id.slice(0, 8)} joined ${name} (${swarm.size} peers, upload ${upload})`);
  }

  /** Picks fresh neighbours and links them, so either side hears `peer-left` about the other. */
  #introduce(swarm: Swarm, peer: SwarmPeer): string[] {
    const picked = swarm.pickNeighbours(peer.id, this.#hub.tuning.trackerNeighbours);
    for (const other of picked) swarm.link(peer, other);
    return picked.map((p) => p.id);
  }

  #badPeer(swarm: Swarm, reporter: SwarmPeer, accusedId: string, seq: number, reason: string): void {
    const accused = swarm.peer(accusedId);
    if (!accused || accused === reporter)
      return reporter.send({ type: 'error', status: 404, message: `no peer ${accusedId} in this swarm` });
    accused.badReporters.add(reporter.id);
    this.#hub.log(
      `peer ${accused.id.slice(0, 8)} of ${swarm.stream} reported by ${reporter.id.slice(0, 8)} (chunk ${seq}: ${reason.slice(0, 100)}); ${accused.badReporters.size} report(s)`,
    );
    if (accused.badReporters.size >= this.#hub.tuning.badPeerReportsToEvict) {
      this.#hub.log(`peer ${accused.id.slice(0, 8)} of ${swarm.stream} evicted: bad chunks`);
      this.#remove(swarm, accused);
      accused.evict('reported for bad chunks by several peers');
    }
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
    this.#forgetIfIdle(swarm.stream);
  }

  /** A swarm without peers whose stream is gone from the origin has nothing left to count. */
  #forgetIfIdle(stream: string): void {
    const swarm = this.#swarms.get(stream);
    if (swarm && swarm.size === 0 && !this.#origin.stream(stream)) this.#swarms.delete(stream);
  }
}
