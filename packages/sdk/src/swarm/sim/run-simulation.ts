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
import { webCryptoSha256Hex } from '../engine/hash.js';
import { seededRandom } from './prng.js';
import { collectFigures } from './sim-figures.js';
import { SimNetwork } from './sim-network.js';
import { SimOrigin } from './sim-origin.js';
import { planPeers } from './sim-peers.js';
import { SimTracker } from './sim-tracker.js';
import { SIM_DEFAULTS, type SwarmSimOptions, type SwarmSimResult } from './sim-types.js';
import { VirtualClock } from './virtual-clock.js';

export {
  SIM_DEFAULTS,
  percentiles,
  type Percentiles,
  type SimPeerResult,
  type SwarmSimOptions,
  type SwarmSimResult,
} from './sim-types.js';

export async function runSwarmSimulation(options: SwarmSimOptions): Promise<SwarmSimResult> {
  const o = { ...SIM_DEFAULTS, ...options };
  const wallStart = performance.now();
  const random = seededRandom(o.seed);
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
  const tracker = new SimTracker(clock, random, o.trackerHandOut, o.trackerNamesNoUpload, o.trackerQuorum);
  origin.onEvent((ev) => tracker.broadcast(ev));
  await origin.start();

  const world = { o, clock, random, net, origin, tracker, hash, epoch };
  const records = planPeers(world);
  const endAt = o.warmupMs + o.seconds * 1000;
  if (o.eofAtMs !== undefined) clock.setTimeout(() => origin.end(), o.warmupMs + o.eofAtMs);
  await clock.run(endAt);
  return collectFigures(world, records, wallStart);
}
