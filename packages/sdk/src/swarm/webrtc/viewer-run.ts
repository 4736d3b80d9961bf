/**
 * A running 1vN viewer: one swarm engine over WebRTC and the origin's HTTP chunk URLs, attached to one node
 * at a time (NodeSession). This file holds the parts every node shares: the engine and its wiring, the
 * tracker messages, the figures sent to the tracker, the ping that notices a silent node, and stopping.
 * Moving to another node when one fails is node-failover.ts; the first join is startSwarmViewer.
 */
import type { OriginEvent, StreamManifest, TrackerToPeer } from '@xp2p/protocol';
import { ServerRotation } from '@xp2p/protocol';
import { SwarmPeer } from '../engine/swarm-peer.js';
import type { SwarmClock } from '../engine/types.js';
import { HttpOriginClient } from './http-origin.js';
import { NodeSession } from './node-session.js';
import type { RecordCheck } from './record-check.js';
import type { SwarmViewerEvent, SwarmViewerOptions } from './viewer-types.js';
import { WebRtcMesh } from './webrtc-mesh.js';

export class ViewerRun {
  readonly nodes: ServerRotation;
  readonly clock: SwarmClock;
  readonly upload: boolean;
  readonly origin: HttpOriginClient;
  readonly mesh: WebRtcMesh;
  readonly engine: SwarmPeer;
  session: NodeSession | undefined;
  stopped = false;
  ended = false;
  /** the stream's own eof came: no failover, the end is near */
  sawEof = false;
  /** every node that serves the stream was lost: the end is a disconnect, not the publish's eof */
  unreachable = false;
  newestSeq = -1;
  epoch = '';
  /** report, end grace, ping */
  readonly timers: unknown[] = [];
  /** called when the node in use fails (node-failover.ts) */
  onNodeLost: (reason: string) => void = () => {};

  constructor(
    readonly o: SwarmViewerOptions,
    readonly base: string,
    readonly stream: string,
    /** the origin's signatures: every init and chunk record passes it before the engine sees it */
    readonly check: RecordCheck,
  ) {
    check.onRefused = (record) => this.emit({ type: 'record-refused', record });
    this.nodes = new ServerRotation(o.nodes && o.nodes.length > 0 ? o.nodes : [base]);
    this.clock = o.clock ?? realClock;
    this.upload = o.upload ?? true;
    this.origin = new HttpOriginClient(o.platform.fetch, this.nodes.current, stream, (failedBase, err) => {
      if (this.session && failedBase === this.session.base)
        this.onNodeLost(`HTTP to ${failedBase} failed (${String(err)})`);
    });
    this.mesh = new WebRtcMesh(
      o.platform,
      { send: (to, signal) => this.session?.send({ type: 'signal', to, signal }) ?? false },
      o.mesh,
      (line) => this.log(line),
    );
    this.engine = new SwarmPeer({
      clock: this.clock,
      origin: this.origin,
      mesh: this.mesh,
      upload: this.upload,
      options: o.engine,
      output: {
        onData: o.onData,
        onEnd: () => this.finish(),
        onEvent: (ev) => {
          if (ev.type === 'bad-peer')
            this.session?.send({ type: 'bad-peer', peerId: ev.peerId, seq: ev.seq, reason: ev.reason });
          else if (ev.type === 'more-peers') this.session?.send({ type: 'more-peers' });
          this.emit(ev);
        },
      },
    });
  }

  emit(ev: SwarmViewerEvent): void {
    this.o.onEvent?.(ev);
  }

  log(line: string): void {
    this.emit({ type: 'log', line });
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.o.onEnd?.(this.unreachable ? 'unreachable' : 'eof');
  }

  originEvent(event: OriginEvent): void {
    if (event.type === 'chunk' && event.epoch === this.epoch)
      this.newestSeq = Math.max(this.newestSeq, event.chunk.seq);
    if (event.type === 'eof') this.sawEof = true;
    this.engine.originEvent(event);
  }

  handle(msg: TrackerToPeer): void {
    switch (msg.type) {
      case 'peers':
        return this.engine.addPeers(msg.neighbours, msg.noUpload);
      case 'signal':
        return this.mesh.handleSignal(msg.from, msg.signal);
      case 'peer-left':
        return this.engine.peerLeft(msg.peerId);
      case 'origin':
        return this.check.event(msg.event, (event) => this.originEvent(event));
      case 'error':
        return this.emit({ type: 'error', status: msg.status, message: msg.message });
      default:
        return undefined;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.engine.stop();
    this.mesh.close();
    this.session?.close();
  }

  /** No node serves our publish any more: play out what was announced, then eof (never a hang). */
  streamGone(reason: string): void {
    if (this.stopped || this.ended) return;
    this.log(`stream ended: ${reason}`);
    if (this.newestSeq >= 0) this.engine.originEvent({ type: 'eof', epoch: this.epoch, lastSeq: this.newestSeq });
    this.timers[1] = this.clock.setTimeout(() => {
      if (this.ended || this.stopped) return;
      this.log('the last chunks did not arrive: ending here');
      this.engine.stop();
      this.mesh.close();
      this.finish();
    }, this.o.endGraceMs ?? 3000);
  }

  /** The node's manifest (recent chunks), or undefined: it only helps, a failure is not fatal. */
  manifestOf(nodeBase: string): Promise<StreamManifest | undefined> {
    return this.origin.fetchManifest(undefined, nodeBase).catch((err: unknown) => {
      this.log(`manifest from ${nodeBase}: ${String(err)}`);
      return undefined;
    });
  }

  joinAt(nodeBase: string): Promise<NodeSession> {
    return NodeSession.join({
      platform: this.o.platform,
      app: this.o.app,
      base: nodeBase,
      stream: this.stream,
      upload: this.upload,
      timeoutMs: this.o.joinTimeoutMs ?? 5000,
      onSignal: (msg) => this.mesh.handleSignal(msg.from, msg.signal),
      log: (line) => this.log(line),
      now: () => this.clock.now(),
    });
  }

  attach(s: NodeSession): void {
    this.session = s;
    this.origin.moveTo(s.base);
    this.mesh.configure(s.joined.peerId, s.joined.iceServers);
    s.deliver((msg) => this.handle(msg));
    s.onLost((reason) => this.onNodeLost(reason));
  }

  /** Our figures to the tracker every `reportIntervalMs`. */
  startReports(): void {
    const every = this.o.reportIntervalMs ?? 5000;
    const report = () => {
      if (this.stopped) return;
      const s = this.engine.stats();
      this.session?.send({
        type: 'report',
        report: {
          p2pBytes: s.p2pBytes,
          cdnBytes: s.cdnBytes,
          uploadBytes: s.uploadBytes,
          stalls: s.stalls,
          peers: s.peers,
          ...(s.lagMs === undefined ? {} : { lagMs: s.lagMs }),
        },
      });
      this.timers[0] = this.clock.setTimeout(report, every);
    };
    this.timers[0] = this.clock.setTimeout(report, every);
  }

  /** A node that stops answering without closing its socket (frozen, cut off) is lost too. */
  startPings(isMoving: () => boolean): void {
    const pingMs = this.o.pingIntervalMs ?? 2000;
    const silenceMs = this.o.nodeSilenceMs ?? 3 * pingMs + 1000;
    const ping = () => {
      if (this.stopped || this.ended) return;
      const s = this.session;
      if (s && !isMoving()) {
        if (this.clock.now() - s.heardAt > silenceMs) this.onNodeLost(`${s.base}: no answer in ${silenceMs} ms`);
        else s.send({ type: 'ping' });
      }
      this.timers[2] = this.clock.setTimeout(ping, pingMs);
    };
    this.timers[2] = this.clock.setTimeout(ping, pingMs);
  }
}

export const realClock: SwarmClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
