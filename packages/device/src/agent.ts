/**
 * The camera agent: stays logged in to the signalling server, admits viewers (viewer-admission.ts: it
 * checks every viewer's token itself) and serves their requests through one router; records the feed and
 * re-probes its public address. CLOSE-CASCADE.md (next to this file) says what closes what.
 */
import { parseServerUrls, requireSecureUrls, type IceServer } from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';
import { LiveHandler } from './live-handler.js';
import { LiveStreams, type LiveFeed, type LiveStreamSpec } from './live-streams.js';
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
import { ViewerAdmission } from './viewer-admission.js';
import { CameraPublishes } from './one-to-many/camera-publishes.js';
import type { ServerTrust } from './server-trust.js';

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
  /**
   * 1v1 → 1vN (default true): when the live viewer cap is reached, a viewer that allows it is sent to a 1vN
   * stream of the channel, which the camera publishes to its node's origin while someone watches it.
   * false: the next viewer gets 503, nothing more.
   */
  oneToManyWhenFull?: boolean;
}

export interface DeviceAgentStatus {
  online: boolean;
  sessions: number;
  liveViewers: number;
  /** 1vN streams the camera publishes now because it was full (one per channel and quality at most) */
  oneToManyPublishes: number;
  /** the public IP the last NAT probe saw, once known */
  publicIp?: string;
}

export interface DeviceAgent {
  /** Resolves at the next successful login (at once if online). */
  whenOnline(): Promise<void>;
  status(): DeviceAgentStatus;
  close(): Promise<void>;
}

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
  const streams = liveStreamsOf(o);
  const publishes = fullCameraPublishes(o, () => signal.serverUrl, log);
  const live = new LiveHandler(streams, cfg.maxLiveViewers, publishes);
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
  let iceServers: IceServer[] = [];
  let onlineWaiters: (() => void)[] = [];

  const viewers = new ViewerAdmission({
    id,
    productId: o.productId,
    deviceName: o.deviceName,
    secret: o.secret,
    maxSessions: cfg.maxSessions,
    sessionOpenTimeoutMs: cfg.sessionOpenTimeoutMs,
    rtcConfigExtras: o.bindAddress ? { bindAddress: o.bindAddress } : {},
    createPeerConnection: o.createPeerConnection ?? createPeerConnection,
    handler: router,
    iceServers: () => iceServers,
    send: (msg) => signal.send(msg),
    log,
  });
  const signal = new DeviceSignalClient({
    serverUrl: o.serverUrl,
    identity: { productId: o.productId, deviceName: o.deviceName, secret: o.secret, version: cfg.version },
    trust: trustOf(o),
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
    onMessage: (msg) => void viewers.handle(msg),
  });

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
      sessions: viewers.viewerCount,
      liveViewers: live.viewerCount,
      oneToManyPublishes: live.oneToManyPublishes,
      ...(nat.address ? { publicIp: nat.address } : {}),
    }),
    async close() {
      nat.stop();
      viewers.closeAll('camera shutting down');
      publishes?.closeAll('camera shutting down');
      onlineWaiters = [];
      await Promise.all([signal.stop(), ...recorders.map((r) => r.stop())]);
    },
  };
}

/** 1v1 → 1vN (one-to-many/): the publishes of a full camera, unless turned off. */
function fullCameraPublishes(
  o: DeviceAgentOptions,
  serverUrl: () => string,
  log: (line: string) => void,
): CameraPublishes | undefined {
  if (o.oneToManyWhenFull === false) return undefined;
  return new CameraPublishes({
    device: `${o.productId}/${o.deviceName}`,
    secret: o.secret,
    // the origin of the node the camera is logged in to (a ws:// server URL is its http:// node)
    serverUrl: () => serverUrl().replace(/^ws/, 'http'),
    trust: trustOf(o),
    liveWaitMs: DEVICE_DEFAULTS.oneToManyLiveWaitMs,
    livePollMs: DEVICE_DEFAULTS.oneToManyLivePollMs,
    maxPublishes: DEVICE_DEFAULTS.oneToManyMaxPublishes,
    log,
  });
}

function trustOf(o: DeviceAgentOptions): ServerTrust {
  return { serverCa: o.serverCa, serverFingerprint: o.serverFingerprint };
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
