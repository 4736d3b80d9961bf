/**
 * The camera agent: stays logged in to the signalling server, checks every viewer's token itself (the
 * server checked it too, but a camera trusts no one), and runs one ViewerSession per admitted viewer.
 */
import { guardByRole } from './role-guard.js';
import {
  parseServerUrls,
  requireSecureUrls,
  verifyViewerToken,
  withoutRelay,
  type IceServer,
  type ServerToDevice,
} from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';
import { LiveHandler, type LiveFeed } from './live-handler.js';
import { LiveStreams, type LiveStreamSpec } from './live-streams.js';
import { createPeerConnection, type PeerConnectionFactory } from './rtc.js';
import type { CommandHandler } from './commands/user-command.js';
import { DownloadHandler } from './download/download-handler.js';
import type { RecordingsStore } from './recordings/recordings-store.js';
import { SegmentRecorder, type SegmentRecorderOptions } from './recordings/segment-recorder.js';
import { createRouter } from './router.js';
import { VoiceHandler } from './voice/voice-handler.js';
import type { VoiceSink } from './voice/voice-sink.js';
import { NatWatch, stunTargetsOf } from './nat-watch.js';
import { DeviceSignalClient } from './signal-client.js';
import { ViewerSession } from './viewer-session.js';

export interface DeviceAgentOptions {
  /** signalling server base URL, or several nodes of one cluster (array or comma-separated), tried in turn */
  serverUrl: string | readonly string[];
  /** allow http:// / ws:// to a host that is not this machine (else InsecureTransportError) */
  insecure?: boolean;
  /** pin the server's certificate: a CA PEM, or the certificate's SHA-256 fingerprint (server-trust.ts) */
  serverCa?: string | Buffer;
  serverFingerprint?: string;
  productId: string;
  deviceName: string;
  secret: string;
  /** One live source: channel 0, quality high. Either this or `streams`. */
  feed?: LiveFeed;
  /** The camera's channels and qualities, each its own source (an NVR; main and sub streams). */
  streams?: readonly LiveStreamSpec[];
  version?: string;
  maxLiveViewers?: number;
  maxSessions?: number;
  /** Local address for ICE candidates ('127.0.0.1' on loopback-only hosts and in tests). */
  bindAddress?: string;
  log?: (line: string) => void;
  createPeerConnection?: PeerConnectionFactory;
  /**
   * The camera's storage (RecordingsStore.open(dir)): playback, the record queries and downloads of any
   * file in its directory. Without it those answer 404 / empty lists.
   */
  recordings?: RecordingsStore;
  /** The storage of channels other than 0, each recording its own best quality. */
  channelRecordings?: ReadonlyMap<number, RecordingsStore>;
  /**
   * Record the live feed into `recordings` (default true when `recordings` is given): false serves the
   * store as it is, an object sets the segment length.
   */
  record?: boolean | SegmentRecorderOptions;
  /** Where talkback audio goes (wavFileVoiceSink(dir), commandVoiceSink(cmd), or your own). None: 404. */
  voiceSink?: VoiceSink;
  /** Custom commands (action=user_define). None: 404. See loadCommandHandler for the CLI forms. */
  onCommand?: CommandHandler;
  /** How often the camera re-probes its public address (ms; 0: never). Default DEVICE_DEFAULTS.natReprobeMs. */
  natReprobeMs?: number;
}

export interface DeviceAgentStatus {
  online: boolean;
  sessions: number;
  liveViewers: number;
  /** the public IP the last NAT probe saw, once known */
  publicIp?: string;
}

export interface DeviceAgent {
  /** Resolves at the next successful login (at once if online). */
  whenOnline(): Promise<void>;
  status(): DeviceAgentStatus;
  close(): Promise<void>;
}

/** A viewer trickles a handful of candidates; anything beyond this while its offer is pending is noise. */
const MAX_EARLY_CANDIDATES = 64;
/** Parallel connect attempts one viewer may have open (the sdk races at most 4). */
const MAX_ATTEMPTS_PER_VIEWER = 6;

export function startDeviceAgent(o: DeviceAgentOptions): DeviceAgent {
  requireSecureUrls(parseServerUrls(o.serverUrl), o.insecure ?? false);
  const cfg = {
    ...DEVICE_DEFAULTS,
    ...definedOnly({
      version: o.version,
      maxLiveViewers: o.maxLiveViewers,
      maxSessions: o.maxSessions,
      natReprobeMs: o.natReprobeMs,
    }),
  };
  const log = o.log ?? (() => {});
  const id = `${o.productId}/${o.deviceName}`;
  const sessions = new Map<string, ViewerSession>();
  /** candidates that arrived while their offer was being admitted, by session id */
  /** which viewer (its token's nonce) each session belongs to */
  const viewerOf = new Map<string, string>();
  const earlyCandidates = new Map<string, { candidate: string; mid: string | undefined }[]>();
  const streams = liveStreamsOf(o);
  const live = new LiveHandler(streams, cfg.maxLiveViewers);
  const stores = new Map([...(o.channelRecordings ?? []), ...(o.recordings ? [[0, o.recordings] as const] : [])]);
  // Each channel records its best quality into its own store.
  const recorders =
    o.record === false
      ? []
      : [...stores].flatMap(([channel, store]) => {
          const best = streams.find(channel, null);
          if (!best.ok) return [];
          return [
            new SegmentRecorder(best.feed, store, {
              log: (line) => log(`${id}: channel ${channel}: ${line}`),
              ...(typeof o.record === 'object' ? o.record : {}),
            }),
          ];
        });
  for (const recorder of recorders) recorder.start();
  const downloadOf = (store: RecordingsStore): DownloadHandler => new DownloadHandler(store.dir, { log });
  const router = createRouter({
    live,
    channels: Math.max(streams.channelCount, ...[...stores.keys()].map((c) => c + 1)),
    recordings: o.recordings,
    download: o.recordings ? downloadOf(o.recordings) : undefined,
    otherChannels: new Map(
      [...(o.channelRecordings ?? [])].map(([channel, store]) => [
        channel,
        { recordings: store, download: downloadOf(store) },
      ]),
    ),
    voice: new VoiceHandler(o.voiceSink, log),
    onCommand: o.onCommand,
    log: (line) => log(`${id}: ${line}`),
  });
  const rtcExtras: Record<string, unknown> = o.bindAddress ? { bindAddress: o.bindAddress } : {};
  let iceServers: IceServer[] = [];
  let onlineWaiters: (() => void)[] = [];
  let closing = false;

  const signal = new DeviceSignalClient({
    serverUrl: o.serverUrl,
    identity: { productId: o.productId, deviceName: o.deviceName, secret: o.secret, version: cfg.version },
    trust: { serverCa: o.serverCa, serverFingerprint: o.serverFingerprint },
    reconnectMinMs: cfg.reconnectMinMs,
    reconnectMaxMs: cfg.reconnectMaxMs,
    pingIntervalMs: cfg.pingIntervalMs,
    log: (line) => log(`${id}: ${line}`),
    onOnline(servers) {
      iceServers = servers;
      log(`${id}: online at ${signal.serverUrl}`);
      nat.start();
      for (const w of onlineWaiters.splice(0)) w();
    },
    onOffline(reason) {
      log(`${id}: offline (${reason})`);
    },
    onMessage: (msg) => void handle(msg),
  });

  async function handle(msg: ServerToDevice): Promise<void> {
    switch (msg.type) {
      case 'offer':
        return admit(msg.sessionId, msg.token, msg.sdp, msg.relay === true);
      case 'candidate': {
        const session = sessions.get(msg.sessionId);
        if (session) session.addCandidate(msg.candidate, msg.mid);
        else {
          // the offer is still being checked: keep its trickled candidates (bounded) for the session
          const early = earlyCandidates.get(msg.sessionId);
          if (early && early.length < MAX_EARLY_CANDIDATES) early.push({ candidate: msg.candidate, mid: msg.mid });
        }
        return;
      }
      case 'bye':
        sessions.get(msg.sessionId)?.close(msg.reason ?? 'viewer left');
        return;
      default:
        return;
    }
  }

  async function admit(sessionId: string, token: string, sdp: string, relay: boolean): Promise<void> {
    const reject = (status: number, message: string) => {
      log(`${id}: refused session ${sessionId.slice(0, 8)}: ${message}`);
      signal.send({ type: 'reject', sessionId, status, message });
    };
    // viewers whose session just ended reconnect at once (sdk path recovery): tell them this is final
    if (closing) return reject(503, 'camera shutting down');
    if (sessions.has(sessionId) || earlyCandidates.has(sessionId)) return reject(409, 'session id already in use');
    // Candidates trickle right behind the offer; the token check below awaits, and a candidate dropped
    // meanwhile can be the only one that works (a symmetric camera must send to the viewer's srflx).
    earlyCandidates.set(sessionId, []);
    const check = await verifyViewerToken(o.secret, token, { productId: o.productId, deviceName: o.deviceName });
    const early = earlyCandidates.get(sessionId) ?? [];
    earlyCandidates.delete(sessionId);
    if (!check.ok)
      return reject(check.reason === 'expired' || check.reason === 'wrong-device' ? 403 : 401, `token ${check.reason}`);
    // A viewer races a few peer connections with one token (the sdk's connect watchdog): count viewers,
    // not attempts, or two viewers still trying would use up the camera.
    const viewer = check.payload.nonce;
    const attempts = [...viewerOf.values()].filter((v) => v === viewer).length;
    const viewers = new Set(viewerOf.values()).size;
    if (attempts === 0 ? viewers >= cfg.maxSessions : attempts >= MAX_ATTEMPTS_PER_VIEWER)
      return reject(503, `too many sessions (this camera allows ${cfg.maxSessions})`);
    const session = new ViewerSession({
      sessionId,
      appid: check.payload.appid,
      offerSdp: sdp,
      // direct first: relay candidates only for an attempt on which the viewer allows relay
      iceServers: relay ? iceServers : withoutRelay(iceServers),
      rtcConfigExtras: rtcExtras,
      createPeerConnection: o.createPeerConnection ?? createPeerConnection,
      openTimeoutMs: cfg.sessionOpenTimeoutMs,
      sendAnswer: (answer) => signal.send({ type: 'answer', sessionId, sdp: answer }),
      sendCandidate: (candidate, mid) => signal.send({ type: 'candidate', sessionId, candidate, mid }),
      // the role the token names, checked again on every request (role-guard.ts)
      handler: guardByRole(router, check.payload.role),
      log: (line) => log(`${id} session ${sessionId.slice(0, 8)}: ${line}`),
      onClosed: (reason) => {
        if (sessions.get(sessionId) === session) {
          sessions.delete(sessionId);
          viewerOf.delete(sessionId);
        }
        log(`${id}: session ${sessionId.slice(0, 8)} closed (${reason})`);
        signal.send({ type: 'bye', sessionId, reason });
      },
    });
    sessions.set(sessionId, session);
    viewerOf.set(sessionId, viewer);
    for (const c of early) session.addCandidate(c.candidate, c.mid);
    log(`${id}: session ${sessionId.slice(0, 8)} from app ${check.payload.appid}`);
    try {
      await session.start();
    } catch (err) {
      session.close(`bad offer: ${String(err)}`);
    }
  }

  const nat = new NatWatch({
    // The STUN service of the node the camera is logged in to: with a list of nodes, that changes on failover.
    targets: () => stunTargetsOf(iceServers, hostnameOf(signal.serverUrl)),
    ...(o.bindAddress ? { bindAddress: o.bindAddress } : {}),
    intervalMs: cfg.natReprobeMs,
    log: (line) => log(`${id}: ${line}`),
    onChanged: (previous, current) => {
      log(`${id}: public address changed ${previous} → ${current}; logging in again`);
      signal.reconnectNow('public address changed');
    },
  });

  signal.start();

  return {
    whenOnline() {
      if (signal.isOnline) return Promise.resolve();
      return new Promise<void>((resolve) => onlineWaiters.push(resolve));
    },
    status: () => ({
      online: signal.isOnline,
      sessions: new Set(viewerOf.values()).size,
      liveViewers: live.viewerCount,
      ...(nat.address ? { publicIp: nat.address } : {}),
    }),
    async close() {
      closing = true;
      nat.stop();
      for (const s of [...sessions.values()]) s.close('camera shutting down');
      onlineWaiters = [];
      await Promise.all([signal.stop(), ...recorders.map((r) => r.stop())]);
    },
  };
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return ''; // the signal client reports a bad URL
  }
}

function liveStreamsOf(o: DeviceAgentOptions): LiveStreams {
  if (o.streams) return new LiveStreams(o.streams);
  if (o.feed) return LiveStreams.single(o.feed);
  throw new TypeError('startDeviceAgent: give `feed` or `streams`');
}
