/**
 * Runs the real swarm engine (SwarmPeer) for many peers over the in-memory network, origin and tracker,
 * in virtual time, and measures what the issue asks: offload against the 1 − 1/N limit, continuity,
 * startup, added lag, control overhead.
 *
 * Figures:
 * - offload = 1 − origin chunk bytes / chunk bytes handed to players (all peers), limit = 1 − 1/N;
 * - continuity = share of chunks handed out before their playback deadline (first chunk of each peer excluded);
 * - startupMs = join → first chunk out;
 * - lagMs = how long after the origin announced a chunk the peer plays it (constant per peer plus stalls);
 * - baselineLagMs = the lag of a plain HTTP-FLV viewer on the same link that joined at the same moment: its
 *   request reaches the origin after one way, the origin's GOP cache starts at the newest keyframe chunk
 *   then, and it plays once the init part and that chunk are in (round trip + bytes at its downlink rate,
 *   link idle); it then plays that far behind for good;
 * - addedLagMs = lagMs − baselineLagMs: what P2P adds to the lag the issue's own baseline has. A peer asks
 *   the origin for init + start chunk in one request at join (SimOrigin's fetchStart: the same round trip
 *   and bytes as the baseline's) in parallel with the tracker join, so what it adds is its start lead (a GOP).
 */
import { SWARM_DEFAULTS, type SwarmOptions } from '../engine/defaults.js';
import { webCryptoSha256Hex } from '../engine/hash.js';
import { SwarmPeer } from '../engine/swarm-peer.js';
import type { SwarmEvent } from '../engine/types.js';
import { seededRandom } from './prng.js';
import { SimNetwork } from './sim-network.js';
import { SimOrigin } from './sim-origin.js';
import { SimTracker } from './sim-tracker.js';
import { VirtualClock } from './virtual-clock.js';

export interface SwarmSimOptions {
  peers: number;
  /** viewing time simulated after the first join */
  seconds: number;
  seed?: number;
  bitrateKbps?: number;
  chunkMs?: number;
  keyframeEveryMs?: number;
  /** share of peers with upload off (mobile) */
  nonUploadingShare?: number;
  /** share of peers behind NATs that cannot reach each other */
  natShare?: number;
  /** uploaders' upload capacity as a multiple of the bitrate, drawn log-uniformly from [min, max] */
  uploadMultiple?: [number, number];
  downloadMbps?: [number, number];
  /** one-way access latency per peer; a path between two peers costs both */
  latencyMs?: [number, number];
  lossRate?: number;
  retransmitMs?: number;
  /** the origin runs this long before the first viewer joins */
  warmupMs?: number;
  /** viewers join spread over this long */
  joinSpreadMs?: number;
  /** share of viewers that leave at a random time mid-run */
  leaveShare?: number;
  /** extra viewers joining at `lateJoinAtMs` after the first join */
  lateJoiners?: number;
  lateJoinAtMs?: number;
  /** peers that flip a byte in every piece they upload */
  corruptPeers?: number;
  /** the publisher stops this long after the first join (origin eof) */
  eofAtMs?: number;
  /** real payload bytes = declared chunk size / payloadScale (bandwidth is accounted on the declared size) */
  payloadScale?: number;
  /** the origin announces piece hashes (cut-through forwarding); false: whole-chunk hashes only */
  pieceHashes?: boolean;
  /** peers the tracker hands out per join */
  trackerHandOut?: number;
  /** the tracker names the peers it hands out that do not upload (`noUpload`); false: peers learn it from `hello` */
  trackerNamesNoUpload?: boolean;
  engine?: Partial<SwarmOptions>;
  /** every engine event, with the peer it came from (diagnostics) */
  onEngineEvent?: (peer: SimPeerResult, event: SwarmEvent) => void;
  /** keep every peer's output bytes (tests) */
  keepOutputs?: boolean;
}

export interface SimPeerResult {
  id: string;
  upload: boolean;
  nat: boolean;
  corrupt: boolean;
  joinAt: number;
  leftAt?: number;
  late: boolean;
  startSeq?: number;
  startKeyframe?: boolean;
  startupMs?: number;
  lagMs?: number;
  baselineLagMs?: number;
  addedLagMs?: number;
  chunksOut: number;
  lateChunks: number;
  /** sequence numbers of chunks in output order */
  seqs: number[];
  /** init + chunk bytes in output order (keepOutputs) */
  outputs?: Uint8Array[];
  initFirst: boolean;
  ended: boolean;
  uploadBytes: number;
  bulkBytesSent: number;
  stalls: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

export interface SwarmSimResult {
  peers: number;
  seconds: number;
  offload: number;
  limit: number;
  continuity: number;
  stalls: number;
  startupMs: Percentiles;
  lagMs: Percentiles;
  baselineLagMs: Percentiles;
  addedLagMs: Percentiles;
  controlOverheadRatio: number;
  originChunkBytes: number;
  deliveredChunkBytes: number;
  badPeerReports: number;
  /** peers reported as bad at least once */
  reportedPeers: string[];
  /** origin chunk fetches by the engines: to seed the mesh / because a deadline was near */
  seedFetches: number;
  urgentFetches: number;
  wallMs: number;
  events: number;
  perPeer: SimPeerResult[];
  /** the origin's chunks, for checking outputs */
  origin: SimOrigin;
}

export const SIM_DEFAULTS = Object.freeze({
  seed: 1,
  bitrateKbps: 2000,
  chunkMs: 500,
  keyframeEveryMs: 2000,
  nonUploadingShare: 0.2,
  natShare: 0.1,
  uploadMultiple: [1.5, 6] as [number, number],
  downloadMbps: [8, 50] as [number, number],
  latencyMs: [10, 40] as [number, number],
  lossRate: 0.01,
  retransmitMs: 300,
  warmupMs: 6000,
  joinSpreadMs: 5000,
  leaveShare: 0,
  lateJoiners: 0,
  lateJoinAtMs: 20_000,
  corruptPeers: 0,
  payloadScale: 32,
  trackerHandOut: 64,
  trackerNamesNoUpload: true,
  pieceHashes: true,
});

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p95: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

export async function runSwarmSimulation(options: SwarmSimOptions): Promise<SwarmSimResult> {
  const o = { ...SIM_DEFAULTS, ...options };
  const wallStart = performance.now();
  const random = seededRandom(o.seed);
  const between = ([lo, hi]: [number, number]) => lo + random() * (hi - lo);
  const clock = new VirtualClock();
  const hash = (bytes: Uint8Array) => clock.track(webCryptoSha256Hex(bytes));
  const net = new SimNetwork(clock, random, {
    lossRate: o.lossRate,
    retransmitMs: o.retransmitMs,
    payloadScale: o.payloadScale,
    smallMessageBytes: 1200,
    connectExtraMs: 30,
    connectFailMs: 3000,
  });
  const epoch = 'sim-epoch-1';
  const origin = new SimOrigin(clock, random, net, {
    bitrateBps: o.bitrateKbps * 1000,
    chunkMs: o.chunkMs,
    keyframeEveryMs: o.keyframeEveryMs,
    payloadScale: o.payloadScale,
    latencyMs: 15,
    epoch,
    pieceHashes: o.pieceHashes,
  });
  const tracker = new SimTracker(clock, random, o.trackerHandOut, o.trackerNamesNoUpload);
  origin.onEvent((ev) => tracker.broadcast(ev));
  await origin.start();

  const bitrateBytesPerMs = o.bitrateKbps / 8;
  const records: Array<SimPeerResult & { engine?: SwarmPeer; startAt?: number }> = [];
  const total = o.peers + o.lateJoiners;
  for (let i = 0; i < total; i++) {
    const late = i >= o.peers;
    const id = `peer-${String(i).padStart(5, '0')}-${Math.floor(random() * 1e9).toString(36)}`;
    const upload = i >= o.corruptPeers ? random() >= o.nonUploadingShare : true;
    const [uLo, uHi] = o.uploadMultiple;
    const upMultiple = upload ? uLo * Math.pow(uHi / uLo, random()) : 0.2;
    const rec: (typeof records)[number] = {
      id,
      upload,
      nat: random() < o.natShare,
      corrupt: i < o.corruptPeers,
      joinAt: o.warmupMs + (late ? o.lateJoinAtMs + random() * 500 : random() * o.joinSpreadMs),
      late,
      chunksOut: 0,
      lateChunks: 0,
      seqs: [],
      initFirst: false,
      ended: false,
      uploadBytes: 0,
      bulkBytesSent: 0,
      stalls: 0,
      ...(o.keepOutputs ? { outputs: [] } : {}),
    };
    const leaves = !late && !rec.corrupt && random() < o.leaveShare;
    if (leaves) rec.leftAt = rec.joinAt + 5000 + random() * Math.max(0, o.seconds * 1000 - o.joinSpreadMs - 10_000);
    records.push(rec);
    const latencyMs = between(o.latencyMs);
    clock.setTimeout(() => {
      const mesh = net.addPeer({
        id,
        upRate: upMultiple * bitrateBytesPerMs,
        downRate: (between(o.downloadMbps) * 1000) / 8,
        latencyMs,
        nat: rec.nat,
        corrupt: rec.corrupt,
      });
      const engine = new SwarmPeer({
        clock,
        origin: origin.client(id),
        mesh,
        upload,
        hash,
        random: seededRandom(o.seed * 7919 + i),
        // pieces as many per chunk as full-size chunks would have
        options: { pieceBytes: Math.max(16, Math.floor(SWARM_DEFAULTS.pieceBytes / o.payloadScale)), ...o.engine },
        output: {
          onData(bytes, info) {
            if (info.kind === 'init') {
              if (rec.seqs.length === 0) rec.initFirst = true;
            } else rec.seqs.push(info.seq!);
            rec.outputs?.push(bytes);
          },
          onEnd() {
            rec.ended = true;
          },
          onEvent(ev) {
            o.onEngineEvent?.(rec, ev);
            if (ev.type === 'bad-peer') tracker.reportBad(ev.peerId);
            else if (ev.type === 'more-peers') tracker.morePeers(id);
            else if (ev.type === 'start') {
              rec.startAt = clock.now();
              rec.startSeq = ev.seq;
            }
          },
        },
      });
      rec.engine = engine;
      // init + start chunk in one origin request, sent with the tracker join (engine option oneRequestStart)
      engine.prefetchStart();
      const neighbours = tracker.sample(id);
      const noUpload = tracker.noUpload(neighbours);
      tracker.add(id, engine, latencyMs, upload);
      // the tracker's `joined` and the manifest arrive after a round trip
      clock.setTimeout(
        () =>
          engine.join({
            peerId: id,
            epoch,
            init: origin.init!.meta,
            neighbours,
            noUpload,
            recentChunks: origin.recent(),
          }),
        2 * latencyMs,
      );
    }, rec.joinAt);
    if (rec.leftAt !== undefined) {
      clock.setTimeout(() => {
        rec.engine?.stop();
        net.removePeer(id);
        tracker.remove(id);
      }, rec.leftAt);
    }
  }
  const endAt = o.warmupMs + o.seconds * 1000;
  if (o.eofAtMs !== undefined) clock.setTimeout(() => origin.end(), o.warmupMs + o.eofAtMs);
  await clock.run(endAt);

  let delivered = 0;
  let onTime = 0;
  let counted = 0;
  let stalls = 0;
  const startup: number[] = [];
  const lag: number[] = [];
  const baselineLags: number[] = [];
  const added: number[] = [];
  /** The HTTP-FLV viewer baseline (see the header): its lag for a peer on this link joining at `joinAt`. */
  const baselineLag = (id: string, joinAt: number): number | undefined => {
    const oneWay = net.idleOriginFetchMs(id, 0, origin.options.latencyMs)! / 2;
    const start = origin.newestKeyframeBy(joinAt + oneWay);
    if (!start || !origin.init) return undefined;
    const bytes = origin.init.bytes.byteLength + start.bytes.byteLength * o.payloadScale;
    return joinAt + net.idleOriginFetchMs(id, bytes, origin.options.latencyMs)! - start.announcedAt;
  };
  let control = 0;
  let seedFetches = 0;
  let urgentFetches = 0;
  for (const rec of records) {
    const engine = rec.engine;
    if (!engine) continue;
    const st = engine.stats();
    engine.stop();
    const node = net.node(rec.id);
    control += node?.controlBytesSent ?? 0;
    rec.bulkBytesSent = node?.bulkBytesSent ?? 0;
    rec.uploadBytes = st.uploadBytes;
    rec.chunksOut = st.chunksOut;
    rec.lateChunks = st.lateChunks;
    rec.stalls = st.stalls;
    seedFetches += st.seedFetches;
    urgentFetches += st.urgentFetches;
    for (const seq of rec.seqs) delivered += (origin.chunks.get(seq)?.meta.size ?? 0) * o.payloadScale;
    if (rec.startAt === undefined || rec.startSeq === undefined) continue;
    rec.startupMs = rec.startAt - rec.joinAt;
    const started = origin.chunks.get(rec.startSeq);
    rec.startKeyframe = started?.meta.keyframe;
    if (rec.corrupt) continue;
    startup.push(rec.startupMs);
    stalls += st.stalls;
    counted += Math.max(0, st.chunksOut - 1);
    onTime += Math.max(0, st.chunksOut - 1 - st.lateChunks);
    if (started) {
      rec.lagMs = rec.startAt - started.announcedAt + st.stallMs;
      const baseline = baselineLag(rec.id, rec.joinAt);
      if (baseline !== undefined) {
        rec.baselineLagMs = baseline;
        rec.addedLagMs = rec.lagMs - baseline;
        baselineLags.push(baseline);
        added.push(rec.addedLagMs);
      }
      lag.push(rec.lagMs);
    }
  }
  const viewers = o.peers;
  return {
    peers: viewers,
    seconds: o.seconds,
    offload: delivered > 0 ? 1 - origin.chunkBytesServed / delivered : 0,
    limit: 1 - 1 / viewers,
    continuity: counted > 0 ? onTime / counted : 1,
    stalls,
    startupMs: percentiles(startup),
    lagMs: percentiles(lag),
    baselineLagMs: percentiles(baselineLags),
    addedLagMs: percentiles(added),
    controlOverheadRatio: delivered > 0 ? control / delivered : 0,
    originChunkBytes: origin.chunkBytesServed,
    deliveredChunkBytes: delivered,
    badPeerReports: [...tracker.badReports.values()].reduce((a, b) => a + b, 0),
    reportedPeers: [...tracker.badReports.keys()],
    seedFetches,
    urgentFetches,
    wallMs: performance.now() - wallStart,
    events: clock.events,
    perPeer: records.map(({ engine: _e, startAt: _s, ...r }) => r),
    origin,
  };
}
