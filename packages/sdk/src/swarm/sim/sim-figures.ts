/**
 * The figures of a finished simulation run (see run-simulation.ts for what each means): every engine is
 * stopped and read, attackers are left out of the viewers' figures, and each viewer's lag is set
 * against the HTTP-FLV baseline on its own link.
 */
import type { SimRecord, SimWorld } from './sim-peers.js';
import { percentiles, type SwarmSimResult } from './sim-types.js';

export function collectFigures(w: SimWorld, records: SimRecord[], wallStart: number): SwarmSimResult {
  const { o, net, origin, tracker } = w;
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
  let honestDelivered = 0;
  let honestOrigin = 0;
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
    let mine = 0;
    for (const seq of rec.seqs) mine += (origin.chunks.get(seq)?.meta.size ?? 0) * o.payloadScale;
    delivered += mine;
    if (!rec.attack) {
      honestDelivered += mine;
      // cdnBytes counts real bytes (init included): chunk bytes count at their declared size
      honestOrigin += st.cdnBytes * o.payloadScale;
    }
    if (rec.startAt === undefined || rec.startSeq === undefined) continue;
    rec.startupMs = rec.startAt - rec.joinAt;
    const started = origin.chunks.get(rec.startSeq);
    rec.startKeyframe = started?.meta.keyframe;
    if (rec.attack) continue;
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
    honestOffload: honestDelivered > 0 ? 1 - honestOrigin / honestDelivered : 0,
    honestEvicted: records.filter((r) => r.evicted && !r.attack).length,
    attackersEvicted: records.filter((r) => r.evicted && r.attack).length,
    seedFetches,
    urgentFetches,
    wallMs: performance.now() - wallStart,
    events: w.clock.events,
    perPeer: records.map(({ engine: _e, startAt: _s, ...r }) => r),
    origin,
  };
}
