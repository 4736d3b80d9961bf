/**
 * A 1vN viewer on a real network: joins the tracker for the stream, reads the origin's manifest, and runs
 * the swarm engine over WebRTC data channels and the origin's HTTP chunk URLs. Output: the stream's bytes
 * (FLV header + metadata + sequence headers, then FLV tags from a keyframe), each chunk verified.
 */
import type { ChunkMeta, TrackerToPeer } from '@xp2p/protocol';
import type { AppParams } from '../../app-params.js';
import type { Platform } from '../../platform.js';
import type { SwarmOptions } from '../engine/defaults.js';
import { SwarmPeer } from '../engine/swarm-peer.js';
import type { SwarmClock, SwarmEvent, SwarmOutput, SwarmStats } from '../engine/types.js';
import { HttpOriginClient } from './http-origin.js';
import { TrackerClient } from './tracker-client.js';
import { WebRtcMesh, type WebRtcMeshOptions } from './webrtc-mesh.js';

export type SwarmViewerEvent =
  SwarmEvent | { type: 'error'; message: string; status?: number } | { type: 'joined'; peerId: string };

export interface SwarmViewerOptions {
  platform: Platform;
  app: Pick<AppParams, 'appKey' | 'appSecretKey'> & { serverUrl?: string };
  /** http(s)://host[:port]/live/NAME.flv — the origin and the stream name */
  streamUrl: string;
  /** false (mobile mode): download only */
  upload?: boolean;
  onData: SwarmOutput['onData'];
  onEnd?: () => void;
  onEvent?: (event: SwarmViewerEvent) => void;
  clock?: SwarmClock;
  engine?: Partial<SwarmOptions>;
  mesh?: Partial<WebRtcMeshOptions>;
  /** tracker base URL; default app.serverUrl, else the stream URL's origin */
  trackerUrl?: string;
  joinTimeoutMs?: number;
  /** figures sent to the tracker this often */
  reportIntervalMs?: number;
}

export interface SwarmViewer {
  readonly peerId: string;
  stats(): SwarmStats;
  stop(): void;
}

export const realClock: SwarmClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** http://host/live/NAME.flv → origin base and stream name. */
export function parseStreamUrl(streamUrl: string): { base: string; stream: string } {
  const u = new URL(streamUrl);
  const m = /^\/live\/([A-Za-z0-9_.-]{1,64})\.flv$/.exec(u.pathname);
  if (!m || !/^https?:$/.test(u.protocol))
    throw new Error(`not a live stream URL (http://host/live/NAME.flv): ${streamUrl}`);
  return { base: `${u.protocol}//${u.host}`, stream: m[1]! };
}

export async function startSwarmViewer(o: SwarmViewerOptions): Promise<SwarmViewer> {
  const { base, stream } = parseStreamUrl(o.streamUrl);
  const emit = (ev: SwarmViewerEvent) => o.onEvent?.(ev);
  const log = (line: string) => emit({ type: 'log', line });
  const clock = o.clock ?? realClock;
  const upload = o.upload ?? true;
  const tracker = new TrackerClient(o.platform, o.trackerUrl ?? o.app.serverUrl ?? base, o.app, log);
  const origin = new HttpOriginClient(o.platform.fetch, base, stream);
  const mesh = new WebRtcMesh(
    o.platform,
    { send: (to, signal) => tracker.send({ type: 'signal', to, signal }) },
    o.mesh,
    log,
  );
  const manifest = origin.fetchManifest().catch((err: unknown) => {
    log(`no manifest (${String(err)}): starting at the next keyframe announced`);
    return undefined;
  });
  const engine = new SwarmPeer({
    clock,
    origin,
    mesh,
    upload,
    options: o.engine,
    output: {
      onData: o.onData,
      onEnd: o.onEnd,
      onEvent: (ev) => {
        if (ev.type === 'bad-peer')
          tracker.send({ type: 'bad-peer', peerId: ev.peerId, seq: ev.seq, reason: ev.reason });
        else if (ev.type === 'more-peers') tracker.send({ type: 'more-peers' });
        emit(ev);
      },
    },
  });

  let joined = false;
  let stopped = false;
  let peerId = '';
  /** tracker messages that arrive while we are still reading the manifest */
  const early: TrackerToPeer[] = [];
  const timers: unknown[] = [];

  const handle = (msg: TrackerToPeer) => {
    switch (msg.type) {
      case 'peers':
        return engine.addPeers(msg.neighbours);
      case 'signal':
        return mesh.handleSignal(msg.from, msg.signal);
      case 'peer-left':
        return engine.peerLeft(msg.peerId);
      case 'origin':
        return engine.originEvent(msg.event);
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
    tracker.close();
  };

  await tracker.open(o.joinTimeoutMs ?? 5000);
  const joinedPromise = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tracker did not answer join in ${o.joinTimeoutMs ?? 5000} ms`)),
      o.joinTimeoutMs ?? 5000,
    );
    tracker.onMessage((msg) => {
      if (stopped) return;
      if (msg.type === 'joined') {
        if (peerId) return;
        peerId = msg.peerId;
        origin.epoch = msg.epoch;
        mesh.configure(msg.peerId, msg.iceServers);
        clearTimeout(timer);
        // the manifest gives recent chunks, so we can start at a keyframe at once; do not wait long for it
        void Promise.race([manifest, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]).then((m) => {
          if (stopped) return;
          const recentChunks: ChunkMeta[] = m && m.epoch === msg.epoch ? m.chunks : [];
          engine.join({
            peerId: msg.peerId,
            epoch: msg.epoch,
            init: msg.init,
            neighbours: msg.neighbours,
            recentChunks,
          });
          joined = true;
          for (const e of early.splice(0)) handle(e);
          emit({ type: 'joined', peerId: msg.peerId });
          resolve();
        });
      } else if (msg.type === 'error' && !peerId) {
        clearTimeout(timer);
        reject(new Error(`tracker refused (${msg.status}): ${msg.message}`));
      } else if (msg.type === 'signal')
        handle(msg); // signals may precede our join completing
      else if (!joined) early.push(msg);
      else handle(msg);
    });
    tracker.onClose((reason) => {
      emit({ type: 'error', message: reason });
      if (!peerId) reject(new Error(reason));
    });
  });
  tracker.send({ type: 'join', v: 1, stream, upload });
  try {
    await joinedPromise;
  } catch (err) {
    stop();
    throw err;
  }

  const report = () => {
    if (stopped) return;
    const s = engine.stats();
    tracker.send({
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
    tracker.send({ type: 'ping' });
    timers[0] = clock.setTimeout(report, o.reportIntervalMs ?? 5000);
  };
  timers[0] = clock.setTimeout(report, o.reportIntervalMs ?? 5000);

  return { peerId, stats: () => engine.stats(), stop };
}
