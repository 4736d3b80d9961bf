/**
 * Every tunable of the viewer sdk in one place. A plain object literal first, so its property types widen
 * (number, string, boolean): `Object.freeze` of the literal would type each tunable as its default value
 * only, and an app's `createNodeP2PModule({}, { connectTimeoutMs: 5000 })` would not compile.
 */
const defaults = {
  /** Where the signalling server is when appParams does not say (the embedded demo's address). */
  serverUrl: 'http://127.0.0.1:18080',
  /**
   * A connect attempt not open within this bound gets a second, parallel attempt on a fresh peer
   * connection; the first to open wins. libdatachannel's DTLS retransmit timer is a fixed 1 s, so a lost
   * handshake flight costs ~1 s: racing bounds the tail (DESIGN.md).
   */
  connectRaceAfterMs: 700,
  /**
   * Relay-first start: a live stream started with startP2PService begins over the signalling connections
   * (end-to-end encrypted, bounded by the server) and moves to P2P when it opens. init({ startRelay }).
   */
  startRelay: true as boolean,
  /** At most this many parallel attempts per service start. */
  maxConnectAttempts: 4,
  /**
   * Direct first: attempts started this long after the first may also use the TURN relay. A LAN or a
   * punchable NAT connects well within it; a relay picked too early would carry what could go direct.
   */
  relayAfterMs: 1_000,
  /** startP2PService gives up (and reports -2402) when no attempt is open by then. */
  connectTimeoutMs: 10_000,
  /**
   * 1v1 → 1vN: a live view of a full camera (its viewer cap reached) plays the camera's 1vN stream instead of
   * failing with -2402; `streamInfo.oneToManyWhenFull` decides per service. false: -2402 as before.
   */
  oneToManyWhenFull: true,
  /** How long the signalling WebSocket may take to say hello. */
  signalTimeoutMs: 5_000,
  /** A request whose response head has not arrived by then fails. */
  requestHeadTimeoutMs: 10_000,
  /** sendCommand resolves `{type:'timeout'}` when the whole answer has not arrived by then. */
  commandTimeoutMs: 10_000,
  /**
   * Path recovery (ipc-session.ts): the viewer pings the camera over the control channel this often; when
   * nothing (pong or data) has come back for `pathLostAfterMs` the path counts as broken and the session
   * reconnects on a fresh peer connection, re-issuing a running live stream. Only when no connection opens
   * within `reconnectWindowMs` does the app get `disconnect`. heartbeatMs 0 turns this off.
   */
  heartbeatMs: 500,
  pathLostAfterMs: 2_000,
  reconnectWindowMs: 10_000,
  /** A reconnect races attempts for at most this long before starting a fresh round (within the window). */
  recoveryRoundMs: 3_000,
  /** ...and starts its second attempt this soon (the first offer often leaves on a signalling socket that died). */
  recoveryRaceAfterMs: 400,
  /** pause after a failed reconnect round before the next one */
  recoveryRetryMs: 250,
  /** a token this close to its expiry is renewed before a reconnect (the camera checks it again on arrival) */
  tokenRenewMarginMs: 5_000,
  /** a running 1v1 stream reports its bytes to the server's metrics this often (and once when it ends) */
  streamReportEveryMs: 10_000,
  /**
   * A download cut by a path reconnect asks again until it has gone this long, or this many resumes in a
   * row, without receiving a byte (a lossy link with a long round trip can need several resumes per 64 KiB).
   */
  downloadResumeGiveUpMs: 30_000,
  downloadResumesWithoutProgress: 10,
  /** keep-alive ping on the signalling WebSocket */
  signalPingMs: 15_000,
  /** a dropped signalling WebSocket reconnects in the background after a jittered back-off in this range */
  signalBackoffMinMs: 250,
  signalBackoffMaxMs: 10_000,
  /** The NAT is probed again this often (and on resetP2P); 0 turns the periodic probe off. */
  natReprobeMs: 30_000,
  /** NAT probe: first STUN retransmission timeout (doubled each time) and how many times a request is sent. */
  natProbeRtoMs: 250,
  natProbeAttempts: 4,
};

/** The sdk's configuration: what init's options and the create*Module calls accept (any subset). */
export type SdkConfig = Readonly<typeof defaults>;

export const SDK_DEFAULTS: SdkConfig = Object.freeze(defaults);
