/** Every tunable of the camera agent in one place. */
export const DEVICE_DEFAULTS = Object.freeze({
  /** The p2p version this agent reports; viewers refuse devices below 2.3.0 (-2005). */
  version: '2.4.50',
  /** Simultaneous live viewers; the next one gets status 503 (reference cameras allow 4). */
  maxLiveViewers: 4,
  /**
   * 1v1 → 1vN: a viewer the full camera sends to a new 1vN stream waits at most this long for the stream's
   * first chunk on the origin (asked every `oneToManyLivePollMs`); after that it gets a plain 503.
   */
  oneToManyLiveWaitMs: 10_000,
  oneToManyLivePollMs: 100,
  /**
   * 1vN streams a full camera publishes at once (one per channel and quality asked for); a viewer of yet
   * another gets 503. Its uplink is at most maxLiveViewers + this many streams.
   */
  oneToManyMaxPublishes: 2,
  /** Simultaneous P2P viewers (live, commands, downloads); one viewer's raced connect attempts count once. */
  maxSessions: 8,
  /** Reconnect backoff after the signalling connection drops: first delay, cap (ms). Jittered. */
  reconnectMinMs: 250,
  reconnectMaxMs: 10_000,
  /** Application ping on the signalling socket; two missed pongs count as a dead connection. */
  pingIntervalMs: 10_000,
  /**
   * The camera asks the server's STUN service for its public address this often; when it changes the
   * camera logs in again at once (its signalling connection died with the old address). 0: never.
   */
  natReprobeMs: 15_000,
  /** Each re-probe: first retransmission timeout of its STUN Binding request, doubled per attempt … */
  natProbeRtoMs: 250,
  /** … over this many attempts (RFC 8489 §6.2.1 sends 7; a camera re-probing every few seconds needs fewer). */
  natProbeAttempts: 4,
  /**
   * A relay-first start (start-relay/) the camera answers over signalling ends this long after it began
   * when its P2P channel has not taken it over; the server's own bound (6 s by default) is the one that
   * normally ends it: it never relays for long.
   */
  startRelayMaxMs: 8_000,
  /**
   * A relayed start sends at most this many bytes the node has not acknowledged yet (start-relay/
   * relay-writer.ts): what the camera's own TCP send buffer may hold of it. 128 KiB: a keyframe and more
   * at once, ~0.5 s of backlog on a 2 Mbit/s uplink, ~10 Mbit/s on a 100 ms path to the node.
   */
  startRelayWindowBytes: 128 * 1024,
  /**
   * Bytes of a relayed start waiting longer than this for the window mean the relay carries less than the
   * stream: the live hub then skips to the next keyframe, and what waits goes over P2P at the hand-over.
   */
  startRelayMaxLagMs: 500,
  /** A viewer session whose peer connection does not open by then is dropped. */
  sessionOpenTimeoutMs: 15_000,
  /**
   * A source that ends, fails or stalls is reopened after a back-off that starts here and doubles up to the
   * cap, forever; it starts over once a source delivered media for `sourceHealthyAfterMs`.
   */
  sourceReopenMinMs: 500,
  sourceReopenMaxMs: 10_000,
  sourceHealthyAfterMs: 10_000,
  /** A running source that delivers no tag for this long counts as down (a source that hangs). */
  sourceStallTimeoutMs: 10_000,
  /**
   * Live viewers wait this long through a source outage (their stream continues as one FLV when it comes
   * back); after it their stream ends with an error saying why. New viewers get 503 during an outage.
   */
  liveOutageMaxMs: 30_000,
  /** Per-viewer send buffer above which the live hub skips to the next keyframe. */
  liveHighWaterBytes: 2 * 1024 * 1024,
  /** The GOP cache a new live viewer starts from holds at most this much (header, sequence headers, last GOP). */
  gopCacheMaxBytes: 8 * 1024 * 1024,
  /**
   * One 30 fps frame: the step a viewer's timeline takes where the media jumps (a live viewer resumed at a
   * keyframe, the next recording segment in a playback), and a file loop's frame when it cannot measure one.
   */
  frameStepMs: 33,
  /** A recording segment is cut at the first keyframe after this many seconds. */
  recordingSegmentSeconds: 60,
  /** Recordings are pruned, oldest first, beyond this total size (0 = no limit). */
  recordingsMaxBytes: 2 * 1024 ** 3,
  /** ...and beyond this age in seconds (0 = no limit). */
  recordingsMaxAgeSeconds: 7 * 86_400,
  /** Shortest playback range a viewer may ask for (reference: >= 5 s), else 400. */
  playbackMinSeconds: 5,
  /** `speed=N` above this is refused (400); `rate=max` is the way to go unpaced. */
  playbackMaxSpeed: 16,
  /** A playback or download waits for the channel to drain above this many buffered bytes. */
  playbackHighWaterBytes: 1024 * 1024,
  downloadHighWaterBytes: 4 * 1024 * 1024,
  /** A download reads the file this much at a time (the writer cuts it into 64 KiB frames). */
  downloadReadBytes: 1024 * 1024,
  /** Custom command text limit (bytes, UTF-8) and how long its handler may take (else 504). */
  commandMaxBytes: 4096,
  commandTimeoutMs: 10_000,
  /** An answer from a command script larger than this is refused (500). */
  commandMaxAnswerBytes: 1024 * 1024,
  /** A finished request's channel stays open this long for the viewer to close it, then the camera does. */
  requestChannelLingerMs: 5_000,
  /** A producer waiting for a request channel to drain re-checks its buffer this often (the low-water event can be missed). */
  drainPollMs: 50,
  /** stop(): how long the signalling socket's close handshake may take before the socket is cut. */
  signalCloseGraceMs: 1_000,
  /** stop() of an ffmpeg source: SIGTERM, then SIGKILL after this long. */
  sourceKillTimeoutMs: 2_000,
  /** The talkback command's stdin closed: it gets this long to exit before SIGTERM. */
  voiceCommandExitGraceMs: 3_000,
  /** A recording's media clock and the wall clock further apart than this re-anchor the segment's wall times. */
  recordingMaxClockDriftMs: 2_000,
  /** Custom commands running at once on the camera (all viewers); the next one answers 503 at once. */
  maxConcurrentCommands: 4,
  /** Request channels one viewer session may hold open at once; the next is answered 429 and closed. */
  maxRequestChannelsPerSession: 32,
  /**
   * Talkback: audio may arrive this much faster than its sample rate says (jitter, a burst after a
   * stall), plus this many seconds of burst; beyond, the talk is cut (429). A talk ends at its duration
   * and size limits (413).
   */
  voiceRateSlack: 1.5,
  voiceBurstSeconds: 2,
  voiceMaxTalkMs: 10 * 60_000,
  voiceMaxTalkBytes: 64 * 1024 * 1024,
});
