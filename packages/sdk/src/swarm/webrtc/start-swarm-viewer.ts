/**
 * A 1vN viewer on a real network: joins the tracker for the stream, reads the origin's manifest, and runs
 * the swarm engine over WebRTC data channels and the origin's HTTP chunk URLs. Output: the stream's bytes
 * (FLV header + metadata + sequence headers, then FLV tags from a keyframe), each chunk verified.
 *
 * Cluster failover: given several nodes (stream-nodes.ts), the viewer keeps one engine and moves only its
 * node. When the node's tracker socket drops or its HTTP cannot be reached, it joins the next node; a node
 * in the same publish epoch numbers the chunks the same way (mirrors keep the origin's numbers), so the
 * engine keeps its place and the output continues without a second FLV header. Links to neighbours are
 * direct and survive the move. The stream has ended (eof) when every node failed in a row, a node answers
 * that it is not live, or a node serves another epoch (the stream was published again).
 */
import type { ChunkMeta, OriginEvent, StreamManifest, TrackerToPeer } from '@xp2p/protocol';
import { ServerRotation } from '@xp2p/protocol';
import type { AppParams } from '../../app-params.js';
import type { Platform } from '../../platform.js';
import type { SwarmOptions } from '../engine/defaults.js';
import { SwarmPeer } from '../engine/swarm-peer.js';
import type { SwarmClock, SwarmEvent, SwarmOutput, SwarmStats } from '../engine/types.js';
import { HttpOriginClient } from './http-origin.js';
import { NodeSession } from './node-session.js';
import { parseStreamUrl } from './stream-nodes.js';
import { WebRtcMesh, type WebRtcMeshOptions } from './webrtc-mesh.js';

export { parseStreamUrl } from './stream-nodes.js';

export type SwarmViewerEvent =
  | SwarmEvent
  | { type: 'error'; message: string; status?: number }
  | { type: 'joined'; peerId: string }
  /** moved to another node after `from` failed; `gapMs`: from noticing the failure to joined there */
  | { type: 'node-moved'; from: string; to: string; peerId: string; gapMs: number };

export interface SwarmViewerOptions {
  platform: Platform;
  app: Pick<AppParams, 'appKey' | 'appSecretKey'>;
  /** http(s)://host[:port]/live/NAME.flv — the node to start with and the stream name */
  streamUrl: string;
  /**
   * every node that serves the stream (base URLs, the stream URL's node first; see streamNodesOf):
   * tracker and chunk URLs move to the next when one fails. Default: the stream URL's node only.
   */
  nodes?: readonly string[];
  /** false (mobile mode): download only */
  upload?: boolean;
  onData: SwarmOutput['onData'];
  /** 'eof': the publish ended; 'unreachable': every node that serves the stream was lost (the guide's disconnect) */
  onEnd?: (why: 'eof' | 'unreachable') => void;
  onEvent?: (event: SwarmViewerEvent) => void;
  clock?: SwarmClock;
  engine?: Partial<SwarmOptions>;
  mesh?: Partial<WebRtcMeshOptions>;
  joinTimeoutMs?: number;
  /** figures sent to the tracker this often */
  reportIntervalMs?: number;
  /** after the stream ended, how long the chunks announced before the end may take to arrive */
  endGraceMs?: number;
  /** the node is pinged this often; silent for `nodeSilenceMs` (no close, e.g. frozen or cut off) = lost */
  pingIntervalMs?: number;
  nodeSilenceMs?: number;
}

export interface SwarmViewerStats extends SwarmStats {
  /** the node in use (base URL) */
  node: string;
  /** times the viewer moved to another node */
  nodeMoves: number;
  /** the last move's gap: failure noticed → joined on the next node (ms) */
  lastMoveGapMs: number | undefined;
}

export interface SwarmViewer {
  readonly peerId: string;
  stats(): SwarmViewerStats;
  stop(): void;
}

export const realClock: SwarmClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A promise's value, or undefined after `ms` (the manifest only helps; never wait long for it). */
const within = <T>(p: Promise<T | undefined>, ms: number): Promise<T | undefined> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};

export async function startSwarmViewer(o: SwarmViewerOptions): Promise<SwarmViewer> {
  const { base, stream } = parseStreamUrl(o.streamUrl);
  const nodes = new ServerRotation(o.nodes && o.nodes.length > 0 ? o.nodes : [base]);
  const emit = (ev: SwarmViewerEvent) => o.onEvent?.(ev);
  const log = (line: string) => emit({ type: 'log', line });
  const clock = o.clock ?? realClock;
  const upload = o.upload ?? true;
  const joinTimeoutMs = o.joinTimeoutMs ?? 5000;

  let session: NodeSession | undefined;
  let stopped = false;
  let ended = false;
  /** the stream's own eof came: no failover, the end is near */
  let sawEof = false;
  /** a move is under way (and stays set once the stream is gone: no move after that) */
  let moving = false;
  let nodeMoves = 0;
  let lastMoveGapMs: number | undefined;
  let newestSeq = -1;
  let epoch = '';
  const timers: unknown[] = [];

  const origin = new HttpOriginClient(o.platform.fetch, nodes.current, stream, (failedBase, err) => {
    if (session && failedBase === session.base) nodeLost(`HTTP to ${failedBase} failed (${String(err)})`);
  });
  const mesh = new WebRtcMesh(
    o.platform,
    { send: (to, signal) => session?.send({ type: 'signal', to, signal }) ?? false },
    o.mesh,
    log,
  );
  let unreachable = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    o.onEnd?.(unreachable ? 'unreachable' : 'eof');
  };
  const engine = new SwarmPeer({
    clock,
    origin,
    mesh,
    upload,
    options: o.engine,
    output: {
      onData: o.onData,
      onEnd: finish,
      onEvent: (ev) => {
        if (ev.type === 'bad-peer')
          session?.send({ type: 'bad-peer', peerId: ev.peerId, seq: ev.seq, reason: ev.reason });
        else if (ev.type === 'more-peers') session?.send({ type: 'more-peers' });
        emit(ev);
      },
    },
  });

  const originEvent = (event: OriginEvent) => {
    if (event.type === 'chunk' && event.epoch === epoch) newestSeq = Math.max(newestSeq, event.chunk.seq);
    if (event.type === 'eof') sawEof = true;
    engine.originEvent(event);
  };
  const handle = (msg: TrackerToPeer) => {
    switch (msg.type) {
      case 'peers':
        return engine.addPeers(msg.neighbours, msg.noUpload);
      case 'signal':
        return mesh.handleSignal(msg.from, msg.signal);
      case 'peer-left':
        return engine.peerLeft(msg.peerId);
      case 'origin':
        return originEvent(msg.event);
      case 'error':
        return emit({ type: 'error', status: msg.status, message: msg.message });
      default:
        return undefined;
    }
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const t of timers) clock.clearTimeout(t);
    engine.stop();
    mesh.close();
    session?.close();
  };

  /** No node serves our publish any more: play out what was announced, then eof (never a hang). */
  const streamGone = (reason: string) => {
    if (stopped || ended) return;
    log(`stream ended: ${reason}`);
    if (newestSeq >= 0) engine.originEvent({ type: 'eof', epoch, lastSeq: newestSeq });
    timers[1] = clock.setTimeout(() => {
      if (ended || stopped) return;
      log('the last chunks did not arrive: ending here');
      engine.stop();
      mesh.close();
      finish();
    }, o.endGraceMs ?? 3000);
  };

  /** The node's manifest (recent chunks), or undefined: it only helps, a failure is not fatal. */
  const manifestOf = (nodeBase: string): Promise<StreamManifest | undefined> =>
    origin.fetchManifest(undefined, nodeBase).catch((err: unknown) => {
      log(`manifest from ${nodeBase}: ${String(err)}`);
      return undefined;
    });

  const joinAt = (nodeBase: string) =>
    NodeSession.join({
      platform: o.platform,
      app: o.app,
      base: nodeBase,
      stream,
      upload,
      timeoutMs: joinTimeoutMs,
      onSignal: (msg) => mesh.handleSignal(msg.from, msg.signal),
      log,
      now: () => clock.now(),
    });

  const attach = (s: NodeSession) => {
    session = s;
    origin.moveTo(s.base);
    mesh.configure(s.joined.peerId, s.joined.iceServers);
    s.deliver(handle);
    s.onLost((reason) => nodeLost(reason));
  };

  /** The node failed: join the next one in the same epoch, keeping the engine (and its place) as it is. */
  const nodeLost = (reason: string) => {
    if (stopped || ended || sawEof || moving) return;
    moving = true;
    const lost = session!;
    session = undefined;
    lost.close();
    const since = clock.now();
    emit({ type: 'error', message: `node lost: ${reason}` });
    void (async () => {
      for (;;) {
        if (nodes.failed() >= 1) {
          unreachable = true;
          return streamGone(`no node serves ${stream} (last: ${reason})`);
        }
        const next = nodes.current;
        let s: NodeSession;
        try {
          s = await joinAt(next);
        } catch (err) {
          // a node that refuses (404: not live there) may be outside the cluster: the next one decides
          log(`node ${next}: ${String(err)}`);
          if (stopped) return;
          continue;
        }
        if (stopped) return s.close();
        if (s.joined.epoch !== epoch) {
          s.close();
          return streamGone(`${next} serves another publish (epoch ${s.joined.epoch})`);
        }
        nodes.succeeded();
        origin.moveTo(next);
        engine.originEvent({ type: 'init', epoch, init: s.joined.init });
        // the chunks announced while we were away, before the node's own announcements: the engine skips
        // numbers it does not know once it knows a later one
        const m = await within(manifestOf(next), 1000);
        if (stopped) return s.close();
        for (const chunk of m && m.epoch === epoch ? m.chunks : []) originEvent({ type: 'chunk', epoch, chunk });
        engine.addPeers(s.joined.neighbours, s.joined.noUpload);
        nodeMoves++;
        lastMoveGapMs = clock.now() - since;
        emit({ type: 'node-moved', from: lost.base, to: next, peerId: s.joined.peerId, gapMs: lastMoveGapMs });
        // before attach: a node that already dropped again is reported there and starts the next move
        moving = false;
        attach(s);
        return;
      }
    })().catch((err: unknown) => streamGone(`failover failed: ${String(err)}`));
  };

  // ---- first join: the stream URL's node, else the next that admits us ----
  // init + start chunk in one origin request and the manifest, both while the tracker answers (most joins
  // stay on the stream URL's node): the first frame costs one origin round trip, as an HTTP-FLV viewer's
  engine.prefetchStart();
  const firstManifest = manifestOf(base);
  const errors: string[] = [];
  let first: NodeSession | undefined;
  for (let i = 0; i < nodes.urls.length && !first; i++) {
    try {
      first = await joinAt(nodes.current);
      nodes.succeeded();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
      nodes.failed();
    }
  }
  if (!first) {
    stop();
    throw new Error(errors.join('; '));
  }
  const joined = first.joined;
  epoch = joined.epoch;
  origin.epoch = joined.epoch;
  origin.moveTo(first.base);
  mesh.configure(joined.peerId, joined.iceServers);
  session = first;
  // signals that come while we read the manifest are handled at once (NodeSession), the rest after join
  const m = await within(first.base === base ? firstManifest : manifestOf(first.base), 1000);
  if (!m) log(`no manifest from ${first.base}: starting at the next keyframe announced`);
  if (!stopped) {
    const recentChunks: ChunkMeta[] = m && m.epoch === joined.epoch ? m.chunks : [];
    for (const c of recentChunks) newestSeq = Math.max(newestSeq, c.seq);
    engine.join({
      peerId: joined.peerId,
      epoch: joined.epoch,
      init: joined.init,
      neighbours: joined.neighbours,
      ...(joined.noUpload ? { noUpload: joined.noUpload } : {}),
      recentChunks,
    });
    attach(first);
    emit({ type: 'joined', peerId: joined.peerId });
  }

  const report = () => {
    if (stopped) return;
    const s = engine.stats();
    session?.send({
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
    timers[0] = clock.setTimeout(report, o.reportIntervalMs ?? 5000);
  };
  timers[0] = clock.setTimeout(report, o.reportIntervalMs ?? 5000);

  // a node that stops answering without closing its socket (frozen, cut off) is lost too
  const pingMs = o.pingIntervalMs ?? 2000;
  const silenceMs = o.nodeSilenceMs ?? 3 * pingMs + 1000;
  const ping = () => {
    if (stopped || ended) return;
    const s = session;
    if (s && !moving) {
      if (clock.now() - s.heardAt > silenceMs) nodeLost(`${s.base}: no answer in ${silenceMs} ms`);
      else s.send({ type: 'ping' });
    }
    timers[2] = clock.setTimeout(ping, pingMs);
  };
  timers[2] = clock.setTimeout(ping, pingMs);

  return {
    peerId: joined.peerId,
    stats: () => ({ ...engine.stats(), node: session?.base ?? origin.baseUrl, nodeMoves, lastMoveGapMs }),
    stop,
  };
}
