import { VIEWER_TOKEN_DEFAULT_TTL_S } from '@xp2p/protocol';

/** Limits and timings of the signal hub. `startServer({ tuning })` may override any of them (tests do). */
export interface ServerTuning {
  /** Largest accepted HTTP request body; the API only takes small JSON objects. Bigger → 413. */
  maxBodyBytes: number;
  /** How long a device may take to answer the login challenge before its socket is closed. */
  deviceAuthTimeoutMs: number;
  /** WebSocket-level ping period for every signalling socket. */
  heartbeatIntervalMs: number;
  /** A socket that leaves this many pings in a row unanswered is terminated (a dead TCP peer). */
  heartbeatMissesAllowed: number;
  /** Lifetime of the viewer token inside each xp2pInfo the API hands out. */
  tokenTtlSeconds: number;
  /** Open sessions one viewer socket may hold at once. */
  maxSessionsPerViewer: number;
  /** Invalid messages (bad JSON, schema) a socket may send before it is closed. */
  maxInvalidMessages: number;
  /** Token bucket per socket: burst size … */
  messageBurst: number;
  /** … and sustained messages per second. Generous: an ICE trickle is a few dozen messages. */
  messagesPerSecond: number;
  /** Replay protection remembers at most this many nonces; beyond it signed requests get 503. */
  maxRememberedNonces: number;
  /** close(): how long sockets get to finish the close handshake before they are terminated. */
  closeGraceMs: number;
  /** Open viewer and tracker sockets one app may hold on this node; more → 429 at the upgrade. */
  maxConnectionsPerApp: number;
  /** New WebSocket connections per second this node accepts (token bucket, before any signature check) … */
  joinsPerSecond: number;
  /** … with this burst; beyond → 429 "too many new connections", so a reconnect storm cannot starve the node. */
  joinBurst: number;
  /** The same per client address (X-Forwarded-For's first hop with trustProxy), so one host cannot use it all … */
  joinsPerSecondPerAddress: number;
  joinBurstPerAddress: number;
  /** … and per app (signed viewer and tracker sockets), so one tenant cannot starve the others. */
  appJoinsPerSecond: number;
  appJoinBurst: number;
  /** HTTP: headers must arrive within this (slowloris) … */
  httpHeadersTimeoutMs: number;
  /** … a request body within this of its start (every route but publish) … */
  httpBodyTimeoutMs: number;
  /** … and a connection silent both ways this long is closed (publish exempt). */
  httpIdleTimeoutMs: number;
  /** HTTP-FLV viewers and feed readers open at once on this node; more → 503. */
  maxStreamReaders: number;
  /** Bytes queued to all of them together; beyond, the reader being written to is cut if over its share. */
  streamReadersMaxBacklogBytes: number;
  /** Viewer `report`s counted per session: TTFF samples, and bytes at most this fast (plus a burst). */
  maxTtffReportsPerSession: number;
  maxReportedBytesPerSecond: number;
  reportBurstSeconds: number;
  /** Bytes queued to one WebSocket that does not read; beyond, the socket is cut (memory stays bounded). */
  maxSendBufferBytes: number;
  /**
   * Relay-first start (signal/start-relay.ts): the encrypted bytes one start may relay camera → viewer
   * before P2P opens (one GOP and what flows meanwhile; 0 turns relay-first starts off on this node) …
   */
  startRelayMaxBytes: number;
  /** … and how long a start relay may last: a pair whose P2P does not open by then goes on without it. */
  startRelayMaxMs: number;
  /** Signed requests one app may have in the replay cache at once; beyond → 503 for that app only. */
  maxRememberedNoncesPerApp: number;
  /** STUN Binding answers per source address: burst and per second (a reflector must not amplify floods). */
  stunBurstPerAddress: number;
  stunPerSecondPerAddress: number;

  // ---- cluster (Redis) ----
  /** A device's presence key outlives its node's last refresh by this long (a dead node's devices vanish). */
  presenceTtlMs: number;
  /** How often a node rewrites its devices' presence; well under presenceTtlMs. */
  presenceRefreshMs: number;
  /** bound on each fetch a node makes from another node (1vN manifest, init, chunk, feed headers) */
  clusterFetchTimeoutMs: number;
  /** a mirror of another node's stream with no peer or viewer here for this long stops copying it */
  mirrorIdleMs: number;
  /** SIGTERM drain: the longest close() may take before the remaining sockets are cut. */
  drainTimeoutMs: number;
  /** TLS: how often the certificate and key files are checked for a change (stat polling survives renames). */
  tlsReloadPollMs: number;
  /**
   * How often running sessions are checked against the accounts database: an unshared user, a removed user
   * or device loses its sessions within this (issue 12 asks for 5 s; a database change made by the CLI or by
   * another node needs no message to reach this one).
   */
  revocationCheckMs: number;
  /** an app looked up for a signature check is kept this long (auth/app-cache.ts) */
  appCacheMs: number;
  /** lifetime of a web app sign-in (cookie and session row) */
  webSessionTtlSeconds: number;
  /** lifetime of the one-time sign-in link `xp2p demo` prints */
  signInTokenTtlSeconds: number;
  /** lifetime of a signalling ticket (what a signed-in browser opens its WebSockets with instead of an app secret) */
  signalTicketTtlSeconds: number;
  /** web sign-in attempts per client address: burst and per second (password guessing is slow by design) */
  signInBurstPerAddress: number;
  signInsPerSecondPerAddress: number;
  /** web sign-in attempts per user name, from any address: burst and per second */
  signInBurstPerUser: number;
  signInsPerSecondPerUser: number;
  /** Redis: a connect attempt that takes longer fails (and the back-off below starts). */
  redisConnectTimeoutMs: number;
  /** Redis reconnect back-off: attempt n waits n × this … */
  redisRetryStepMs: number;
  /** … and never more than this, forever (never a crash loop). */
  redisRetryMaxMs: number;
  /** Redis unreachable: ioredis reports every failed reconnect; the log shows at most one line per this period. */
  clusterErrorLogIntervalMs: number;
  /** close(): the node deletes its presence keys within this bound (Redis may be down), then disconnects. */
  clusterCloseTimeoutMs: number;
  /** A stream's swarm figures go to Redis at most this often (peers report every second or two each). */
  swarmFiguresIntervalMs: number;

  // ---- 1vN origin ----
  /** Longest media time one chunk's tags may span; a new chunk also starts at every GOP keyframe. */
  targetChunkMs: number;
  /** Chunks kept (and servable) per stream, by media time; older ones answer 410. */
  originWindowMs: number;
  /** … and by size, whichever is smaller, so a very high bitrate cannot exhaust memory. */
  originWindowMaxBytes: number;
  /** … and by count (4096 half-second chunks are 34 minutes: far beyond the window's media time). */
  originWindowMaxChunks: number;
  /** How long a stopped stream's chunks stay servable before the stream is dropped (→ 404). */
  endedStreamRetainMs: number;
  /** An HTTP-FLV viewer this far behind (bytes queued in its socket) is cut off rather than buffered. */
  flvViewerMaxBacklogBytes: number;
  /** Largest FLV tag a publisher may send. */
  publishMaxTagBytes: number;
  /** A pulled stream (`--pull`) nobody watches for this long stops pulling; the next viewer starts it again. */
  pullIdleMs: number;
  /** A viewer that starts a pull waits this long for the source's first chunk, else 404. */
  pullStartTimeoutMs: number;
  /** A pulled source that drops is reopened after this long, doubled up to the cap, while someone watches. */
  pullRetryMinMs: number;
  pullRetryMaxMs: number;
  /** Stopping an ffmpeg pull: SIGTERM (lets it close an RTSP or RTMP session cleanly), SIGKILL after this long. */
  pullKillTimeoutMs: number;
  /**
   * A full camera's 1vN stream (1v1 → 1vN) nobody watches for this long is ended, and the camera stops
   * uploading it; its next refused viewer starts a new one.
   */
  cameraStreamIdleMs: number;

  // ---- 1vN tracker ----
  /**
   * Peers handed out in `joined` and each `peers` answer (uploaders first); a newcomer is also announced
   * to those it was handed. Peers link to a few of them; knowing many keeps seed elections tight.
   */
  trackerNeighbours: number;
  /**
   * `bad-peer` reports (protocol's BadPeerQuorum): an eviction needs linked reporters from at least this
   * many distinct addresses, and from more than `badPeerQuorumShare` of the swarm; each peer may file
   * `badPeerReportsPerMinute` reports a minute.
   */
  badPeerMinQuorum: number;
  badPeerQuorumShare: number;
  badPeerReportsPerMinute: number;
  /** Peers one stream's swarm may hold; further joins get 503. */
  maxPeersPerSwarm: number;
}

/** The server's limits and timings (see {@link ServerTuning}); `startServer({ tuning })` overrides some. */
export const SERVER_DEFAULTS: Readonly<ServerTuning> = Object.freeze({
  maxBodyBytes: 16 * 1024,
  deviceAuthTimeoutMs: 10_000,
  heartbeatIntervalMs: 15_000,
  heartbeatMissesAllowed: 2,
  tokenTtlSeconds: VIEWER_TOKEN_DEFAULT_TTL_S,
  maxSessionsPerViewer: 32,
  maxInvalidMessages: 20,
  messageBurst: 200,
  messagesPerSecond: 100,
  maxRememberedNonces: 100_000,
  closeGraceMs: 1_000,
  maxConnectionsPerApp: 100_000,
  joinsPerSecond: 5_000,
  joinBurst: 5_000,
  joinsPerSecondPerAddress: 50,
  joinBurstPerAddress: 100,
  appJoinsPerSecond: 2_000,
  appJoinBurst: 4_000,
  maxSendBufferBytes: 1024 * 1024,
  // a 2 s GOP at 2 Mbit/s is ~0.5 MB, and P2P on a 300 ms path opens after ~2.5 s (+1 s per lost DTLS
  // flight, libdatachannel's fixed retransmit timer): 6 s and 2 MiB leave room for both
  startRelayMaxBytes: 2 * 1024 * 1024,
  startRelayMaxMs: 6_000,
  maxTtffReportsPerSession: 4,
  maxReportedBytesPerSecond: 1024 * 1024 * 1024, // 8 Gbit/s: no real link, so honest reports always pass
  reportBurstSeconds: 10,
  httpHeadersTimeoutMs: 10_000,
  httpBodyTimeoutMs: 15_000,
  httpIdleTimeoutMs: 60_000,
  maxStreamReaders: 2_000,
  streamReadersMaxBacklogBytes: 256 * 1024 * 1024,
  maxRememberedNoncesPerApp: 50_000,
  stunBurstPerAddress: 50,
  stunPerSecondPerAddress: 20,
  presenceTtlMs: 30_000,
  presenceRefreshMs: 10_000,
  clusterFetchTimeoutMs: 5_000,
  mirrorIdleMs: 30_000,
  drainTimeoutMs: 10_000,
  tlsReloadPollMs: 1_000,
  revocationCheckMs: 2_000,
  appCacheMs: 5_000,
  webSessionTtlSeconds: 12 * 3600,
  signInTokenTtlSeconds: 600,
  signalTicketTtlSeconds: 300,
  signInBurstPerAddress: 20,
  signInsPerSecondPerAddress: 0.2,
  signInBurstPerUser: 5,
  signInsPerSecondPerUser: 0.05,
  redisConnectTimeoutMs: 2_000,
  redisRetryStepMs: 100,
  redisRetryMaxMs: 2_000,
  clusterErrorLogIntervalMs: 10_000,
  clusterCloseTimeoutMs: 500,
  swarmFiguresIntervalMs: 1_000,
  targetChunkMs: 500,
  originWindowMs: 30_000,
  originWindowMaxBytes: 64 * 1024 * 1024,
  originWindowMaxChunks: 4_096,
  endedStreamRetainMs: 30_000,
  flvViewerMaxBacklogBytes: 8 * 1024 * 1024,
  publishMaxTagBytes: 8 * 1024 * 1024,
  pullIdleMs: 30_000,
  pullStartTimeoutMs: 15_000,
  pullRetryMinMs: 1_000,
  pullRetryMaxMs: 30_000,
  pullKillTimeoutMs: 2_000,
  cameraStreamIdleMs: 30_000,
  trackerNeighbours: 64,
  badPeerMinQuorum: 3,
  badPeerQuorumShare: 1 / 3,
  badPeerReportsPerMinute: 3,
  maxPeersPerSwarm: 10_000,
});
