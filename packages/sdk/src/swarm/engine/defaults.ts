/** Every tunable of the 1vN swarm engine, in one frozen object. Times in ms. */
export const SWARM_DEFAULTS = Object.freeze({
  /** Period of the housekeeping tick: deadlines, timeouts, fallback seeding, link upkeep. */
  tickMs: 100,
  /**
   * A chunk with less than this left before its playback deadline comes from the origin. It must cover
   * one origin fetch (RTT + chunk/download rate) with room to spare; more makes stalls rarer and
   * offload lower.
   */
  urgentMs: 450,
  /**
   * Once origin fetches were measured, the urgent lead is urgentSafety × (round trip + size / rate) +
   * urgentMarginMs, kept between this and `urgentMs`: a peer with a fast origin path gives the mesh longer.
   */
  minUrgentMs: 200,
  urgentSafety: 1.5,
  urgentMarginMs: 100,
  /**
   * Start at the newest keyframe chunk announced at least this long ago. Every later chunk then has about
   * this long (plus startup) to cross the mesh before it turns urgent. Less = smaller lag, less offload.
   */
  startLeadMs: 2000,
  /**
   * Hand out the first chunk no earlier than this long after the origin announced it (the first frame
   * waits up to this long when the newest keyframe is fresh). With `startLeadMs` below it, every peer plays
   * about this far behind the origin, so every chunk has the same time to cross the mesh. 0 = never hold.
   * Apart from it, a start the long-GOP rule picked (pickStartChunk: a keyframe fresher than the lead,
   * because the one before it is more than `startLeadMs` + 0.5 s older) is held until `startLeadMs` old:
   * the added delay stays within the lead, not a whole GOP. Sim N=50, 4 s GOP (3 seeds): added lag p50/p95
   * 4000/4011 → 1–70/1490–1660 ms, offload 0.963–0.964 → 0.924–0.943, startup p95 0.25–0.29 → 1.65–1.76 s
   * (the first frame waits for the hold). A 2 s GOP never takes that rule (seeds 1–3: offload
   * 0.960/0.959/0.963 before, 0.964/0.958/0.963 after; continuity 0.9996–1.0 → 1.0).
   */
  minStartLagMs: 0,
  /**
   * Fetch init + start chunk in one origin request issued with the tracker join (prefetchStart, the origin's
   * start route), instead of after the tracker's answer: startup and added lag drop by the tracker round
   * trip (sim N=50: startup p50 216 → 154 ms, added lag p50 2050 → 2001 ms). The mesh then has that much
   * less time per chunk: offload N=10 ±0, N=50 −0.001 (24 seeds, within noise), N=200 −0.005 (3 seeds; with
   * the answer delayed by the round trip again it recovers, so the cost is the lower lag, not the fetch).
   */
  oneRequestStart: true,
  /**
   * With a start fetch (init + start chunk in one origin request, issued with the tracker join), how long
   * after join the engine waits for it before picking its own start and fetching that the usual way.
   */
  startFetchWaitMs: 1500,
  /**
   * When nobody announced `fetching`/`have` for a new chunk, peers ranked 1, 2, ... (by a per-chunk
   * hash of their id) fetch it from the origin after 1, 2, ... of these steps. Rank 0 fetches at once.
   */
  seedRoundMs: 250,
  /** A new chunk starts from this many seeds (the peers ranked 0..n-1 for it pull it from the origin). */
  chunkSeeds: 1,
  /**
   * Keyframe chunks start from this many seeds (ranks 0..n-1) instead of one: they are the largest chunks,
   * so each mesh hop takes longest; more starting points cut the mesh's depth for them.
   */
  keyframeSeeds: 2,
  /**
   * A chunk larger than this × the average chunk (the keyframe chunks) is seeded in parts: each of its seeds
   * fetches only its share of the pieces from the origin (HTTP Range) and the seeds trade the rest. 0 = every
   * seed fetches the whole chunk. Measured (bench-swarm, 12 seeds, N=50): offload 0.962 with 1.5 against
   * 0.955 with 0 (two whole copies), continuity 0.9999 vs 1.0000; splitting every chunk (chunkSeeds 2) or
   * three keyframe seeds gave the same 0.962-0.963 at more control traffic.
   */
  splitSeedFactor: 1.5,
  /** Seeds per chunk stay below this share of the uploading peers we know (at least one). */
  maxSeedShare: 0.12,
  /**
   * An uploader serves requests due within this long (requesters say how long they have) before any
   * other, earliest deadline first: each such copy saves an origin fetch. 0 = plain queue order.
   */
  tightSlackMs: 1500,
  /** Chunks announced before we joined are not seeded by us until this long after joining (links open). */
  joinGraceMs: 1000,
  /** A neighbour's `fetching` that brought no `have` within this stops holding back our own seeding. */
  incomingTimeoutMs: 3000,
  /**
   * The news that a peer seeds a chunk (`seeded`, relayed through the mesh) holds back later seeding rounds
   * this long. It names no peer, so a seed that never shares (an attacker, or one that left) holds the chunk
   * back for everyone until this runs out. Sim N=50, 60 s, seed 1, 3000 → 1000: no attackers offload 0.952 →
   * 0.950 (within run-to-run noise); 30% withholding 0.761 → 0.789, continuity 0.9988 → 0.9993; 30% poisoning
   * 0.736 → 0.743.
   */
  seededHoldMs: 1000,
  /** Neighbours we open links to; more means more paths, more control messages. */
  targetLinks: 10,
  /** Below this many links the engine asks the tracker for more peers. */
  minLinks: 5,
  /** Links accepted in total (outgoing + incoming); later incoming links are closed. */
  maxLinks: 24,
  /** Chunk requests one neighbour serves in turn; later ones get `absent` and go elsewhere. */
  maxUploadQueue: 3,
  /** ... and requests our uplink could not start within this long, at its measured speed. */
  maxUploadBacklogMs: 250,
  /**
   * Bytes per binary piece on the wire (at most SWARM_MAX_PIECE_BYTES). The uploader sends one piece at a
   * time and picks its next job after each, so this is also how soon a chunk that starts arriving gets
   * forwarded; the origin's hash pieces are as long (CHUNK_PIECE_BYTES). Smaller pieces show a slow
   * transfer sooner; the simulator scales it with its payload scale.
   */
  pieceBytes: 16 * 1024,
  /** A neighbour that sent no byte of a requested chunk within this long is asked no more for it. */
  firstByteTimeoutMs: 600,
  /**
   * A peer that does not upload waits this long after a chunk's announcement before asking neighbours for it
   * (never past its deadline's urgent lead + 1 s): by then more uploaders hold it. 1000 over 500: N=50
   * offload +0.15 points (6 seeds, paired), N=200 +0.2, N=10 unchanged, continuity unchanged (with
   * maxPeerRequests 8).
   */
  leafRequestDelayMs: 1000,
  /**
   * A neighbour still downloading a chunk (cut-through, piece hashes) is chosen as its source with its
   * throughput weighted by this: a holder of the whole chunk is preferred, an arriving copy beats none.
   */
  partialSourceWeight: 0.6,
  /** Our requests outstanding at once, over all neighbours / to one neighbour. */
  maxPeerRequests: 8,
  maxRequestsPerNeighbour: 1,
  /**
   * A neighbour that sent not one byte for this many of our requests in a row (each given up after
   * `firstByteTimeoutMs`) is dropped and not linked again for `silentShunMs`: a peer that advertises what it
   * never sends (withholding) costs each neighbour a few requests, not one per chunk. An honest uploader
   * that cannot serve answers `absent` instead. Measured in the simulator: BENCHMARKS.md (hostile swarms, withhold rows).
   */
  maxSilentRequests: 3,
  silentShunMs: 30_000,
  /** A requested chunk that makes no progress for this long is asked of someone else. */
  requestStallMs: 1500,
  /** After a neighbour's `absent`, leave it alone for this long for that chunk. */
  absentBackoffMs: 300,
  /** Chunks kept behind the playback point, to serve neighbours that play later than us. */
  keepBehindChunks: 24,
  /**
   * What neighbours say about chunks more than this far ahead of the newest we know (`have`, `fetching`,
   * `absent`, hello ranges) is ignored, and pruned should our newest fall behind: a hostile neighbour
   * cannot fill our memory with announcements of chunks that do not exist (32 s of 0.5 s chunks).
   */
  maxAheadChunks: 64,
  /** At most one `more-peers` request per this period. */
  morePeersIntervalMs: 5000,
  /**
   * A neighbour that could not be reached is tried again after `reconnectFirstMs`, doubling with each failure
   * in a row up to `reconnectAfterMs`: a lost handshake (libdatachannel loses ~1.5%, and a loaded host can
   * outlast the connect timeout) costs a few seconds, not 20, while an unreachable peer is not hammered.
   */
  reconnectFirstMs: 2000,
  reconnectAfterMs: 20_000,
  /** Inbound control messages longer than this are dropped unread. */
  maxControlMessageBytes: 8192,
  /** Weight of the newest sample in a neighbour's throughput estimate. */
  throughputEwma: 0.3,
  /** Until the first chunk is out, assume playback will start this long from now. */
  assumedStartupMs: 300,
});

/** A default's type without its literal value (`450` → number), so options may take any value of it. */
type Widened<T> = T extends number ? number : T extends boolean ? boolean : T;

export type SwarmOptions = { readonly [K in keyof typeof SWARM_DEFAULTS]: Widened<(typeof SWARM_DEFAULTS)[K]> };
