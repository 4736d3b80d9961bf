/** Every tunable of the camera agent in one place. */
export const DEVICE_DEFAULTS = Object.freeze({
  /** The p2p version this agent reports; viewers refuse devices below 2.3.0 (-2005). */
  version: '2.4.50',
  /** Simultaneous live viewers; the next one gets status 503 (reference cameras allow 4). */
  maxLiveViewers: 4,
  /** Simultaneous P2P sessions (live viewers plus viewers that only send commands or download). */
  maxSessions: 8,
  /** Reconnect backoff after the signalling connection drops: first delay, cap (ms). Jittered. */
  reconnectMinMs: 250,
  reconnectMaxMs: 10_000,
  /** Application ping on the signalling socket; two missed pongs count as a dead connection. */
  pingIntervalMs: 10_000,
  /** A viewer session whose peer connection does not open by then is dropped. */
  sessionOpenTimeoutMs: 15_000,
  /** Per-viewer send buffer above which the live hub skips to the next keyframe. */
  liveHighWaterBytes: 2 * 1024 * 1024,
});
