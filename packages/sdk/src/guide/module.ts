/**
 * The guide's p2pModule API (init, startP2PService, startP2PStream, ...). Return values are the guide's
 * numeric codes: promises resolve with 0 or a negative code, so code written for the reference plugin
 * (`res === 0`) ports over. Details of a failure go to msgCallback('log', ...) and `lastError(id)`.
 */
import {
  assertDeviceVersionSupported,
  ErrorCode,
  isXP2PError,
  parseDeviceRequestUrl,
  randomId,
  type DeviceRequest,
  type ErrorCodeValue,
} from '@xp2p/protocol';
import { serverUrlsOf, validAppParams, type AppParams } from '../app-params.js';
import { SDK_DEFAULTS } from '../defaults.js';
import { safeCall, XP2PEventEnum, XP2PNotify_SubType, type DataCallback, type ServiceCallbacks } from './events.js';
import { IpcSession, type Recovery, type SessionTimings } from '../one-to-one/session/ipc-session.js';
import { isLiveRequest, openLiveStream } from '../one-to-one/requests/live-stream.js';
import { StreamReport } from '../one-to-one/service/stream-report.js';
import { fetchXp2pInfo } from './xp2p-info-client.js';
import { xp2pInfoFor } from './xp2p-info-check.js';
import { COMMAND_MAX_BYTES, commandError, commandRequest, runCommand, type CommandResult } from '../one-to-one/requests/command.js';
import { pureSha256, startDownload, type DownloadCallbacks } from '../one-to-one/requests/download.js';
import type { Platform } from '../platform.js';
import { isRecorderManager, type RecorderManager, type RecorderStartOptions, type VoiceCallbacks } from '../one-to-one/requests/recorder.js';
import { startVoice } from '../one-to-one/requests/voice.js';
import { startSwarmService, swarmStats, type SwarmService } from './one-to-many-service.js';
import { parseStreamUrl, streamNodesOf } from '../swarm/webrtc/stream-nodes.js';
import type { Service, StreamInfo } from '../one-to-one/service/service.js';
import { ViewerSignal } from '../signal/signal-connection.js';
import { NatMonitor, parseStunUrl, stunServersOf, type NatStats } from '../nat/monitor.js';
import type { StunServerAddress } from '../nat/probe.js';

export interface InitOptions {
  /** `appParams.stunServers` (string[]) adds STUN servers to the probe, like `stunServers` below */
  appParams: AppParams;
  /**
   * 'log' (string), 'natChanged' (NatChangedDetail), 'natError' (NatErrorDetail; code -2202) ...
   */
  eventHandler?: (event: string, detail: unknown) => void;
  /**
   * NAT probe at init (Node: STUN over UDP, RFC 5780 where the server allows; browsers: ICE gathering,
   * which shows the mapped address and whether there is a NAT, not its type; a platform with neither skips it):
   * 'background' (default): init resolves 0 at once, the probe runs behind it, a failure fires natError;
   * 'wait': init waits for the probe and returns -2202 when it fails entirely (the module is then not
   * initialised; natError fires too); 'off': no probe at init and no periodic re-probe (resetP2P still probes).
   */
  probe?: 'background' | 'wait' | 'off';
  /**
   * Extra STUN servers for the probe, besides the signalling server's own: "stun:host:port", "host:port"
   * or "host" (port 3478); DNS names allowed (guide 1.0.2).
   */
  stunServers?: string[];
}

export interface StreamParams {
  dataCallback: DataCallback;
  flv?: { filename: string; params: string };
}

export interface ServiceStats {
  timings: SessionTimings & { streamStartedAt?: number; firstByteAt?: number };
  bytes: number;
  path?: string;
  /** reconnects after a broken network path (each with the time until the new connection was open) */
  recoveries: Recovery[];
}

const MAX_ID_LENGTH = 128;
const validId = (id: unknown): id is string => typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
const isFn = (f: unknown): boolean => typeof f === 'function';

export type P2PModule = ReturnType<typeof createP2PModule>;

export function createP2PModule(platform: Platform, defaults: Partial<typeof SDK_DEFAULTS> = {}) {
  const cfg = { ...SDK_DEFAULTS, ...defaults };
  let initialised = false;
  let uuid = '';
  let signal: ViewerSignal | undefined;
  let eventHandler: InitOptions['eventHandler'];
  const services = new Map<string, Service>();
  /** 1vN services, by the same ids (an id is either 1v1 or 1vN) */
  const swarms = new Map<string, SwarmService>();
  let appParams: AppParams | undefined;
  const lastErrors = new Map<string, string>();
  let nat: NatMonitor | undefined;

  const log = (service: Service | undefined, line: string) => {
    if (service) safeCall(service.callbacks.msgCallback, XP2PEventEnum.Log, '', line);
  };
  const notify = (service: Service, subtype: string, detail?: unknown) =>
    safeCall(service.callbacks.msgCallback, XP2PEventEnum.Notify, subtype, detail);
  const failWith = (id: string, code: ErrorCodeValue, why: string, service?: Service): ErrorCodeValue => {
    lastErrors.set(id, why);
    log(service, why);
    return code;
  };

  async function init(options: InitOptions): Promise<number> {
    if (initialised) return ErrorCode.ALREADY_INITIALISED;
    if (!options || !validAppParams(options.appParams)) return ErrorCode.PARAM_ERROR;
    if (options.eventHandler !== undefined && !isFn(options.eventHandler)) return ErrorCode.PARAM_ERROR;
    const probeMode = options.probe ?? 'background';
    if (!['background', 'wait', 'off'].includes(probeMode)) return ErrorCode.PARAM_ERROR;
    const appStun = (options.appParams as AppParams & { stunServers?: unknown }).stunServers;
    const extraUrls = [appStun, options.stunServers];
    if (extraUrls.some((l) => l !== undefined && (!Array.isArray(l) || l.some((u) => typeof u !== 'string')))) {
      return ErrorCode.PARAM_ERROR;
    }
    const extraStun: StunServerAddress[] = [];
    for (const url of extraUrls.flatMap((l) => (l ?? []) as string[])) {
      const parsed = parseStunUrl(url);
      if (!parsed) return ErrorCode.PARAM_ERROR;
      extraStun.push(parsed);
    }
    uuid = randomId(16);
    eventHandler = options.eventHandler;
    const app = options.appParams;
    appParams = app;
    const moduleSignal = new ViewerSignal(
      platform,
      serverUrlsOf(app, cfg.serverUrl),
      app,
      cfg.signalTimeoutMs,
      (line) => safeCall(eventHandler, 'log', line),
    );
    signal = moduleSignal;
    initialised = true;
    // Connect on intent: open the signalling socket now so the first startP2PService does not wait for it.
    moduleSignal.connect().catch(() => {
      /* retried by the first session; its failure is reported there */
    });
    if (!platform.udp && !platform.natProbe) return ErrorCode.OK;
    const bindAddress = platform.rtcConfigExtras?.bindAddress;
    const monitor = new NatMonitor({
      ...(platform.udp ? { transport: platform.udp } : {}),
      // the same overall bound as the UDP probe's retransmissions (RFC 8489: rto, 2 rto, 4 rto ...)
      ...(platform.natProbe ? { prober: platform.natProbe(cfg.natProbeRtoMs * (2 ** cfg.natProbeAttempts - 1)) } : {}),
      ...(platform.watchNetwork ? { watchNetwork: platform.watchNetwork } : {}),
      servers: async () => {
        // the signalling server's STUN service (from its hello), then the configured ones
        let own: StunServerAddress[] = [];
        try {
          const iceServers = await moduleSignal.connect();
          // the node signalling is connected to (one of several in a cluster) runs the STUN service used
          own = stunServersOf(iceServers, new URL(moduleSignal.serverUrl).hostname.replace(/^\[|\]$/g, ''));
        } catch (err) {
          if (extraStun.length === 0)
            throw new Error(`no STUN server: signalling unreachable (${describe(err)})`, { cause: err });
        }
        const seen = new Set<string>();
        return [...own, ...extraStun].filter((s) => {
          const k = `${s.host}:${s.port}`;
          return !seen.has(k) && !!seen.add(k);
        });
      },
      ...(platform.localAddresses ? { interfaces: platform.localAddresses } : {}),
      ...(typeof bindAddress === 'string' ? { bindAddress } : {}),
      intervalMs: probeMode === 'off' ? 0 : cfg.natReprobeMs,
      rtoMs: cfg.natProbeRtoMs,
      attempts: cfg.natProbeAttempts,
      errorCode: ErrorCode.PROBE_ERROR,
      onChanged: (detail) => safeCall(eventHandler, 'natChanged', detail),
      onError: (detail) => safeCall(eventHandler, 'natError', detail),
    });
    nat = monitor;
    if (probeMode === 'off') return ErrorCode.OK;
    const first = monitor.probe('init');
    if (probeMode === 'background') {
      first.catch(() => {
        /* reported by natError */
      });
      monitor.startTimer();
      return ErrorCode.OK;
    }
    try {
      await first;
    } catch {
      // the guide's init -2202: not initialised, so the app may call init again
      if (nat === monitor) {
        monitor.stop();
        nat = undefined;
        moduleSignal.close();
        signal = undefined;
        initialised = false;
      }
      return ErrorCode.PROBE_ERROR;
    }
    if (nat !== monitor) return ErrorCode.PROBE_ERROR; // destroyed while probing
    monitor.startTimer();
    return ErrorCode.OK;
  }

  function destroy(): void {
    for (const id of [...services.keys(), ...swarms.keys()]) stopP2PService(id);
    nat?.stop();
    nat = undefined;
    signal?.close();
    signal = undefined;
    initialised = false;
    platform.onDestroy?.();
  }

  /** Reconnects the signalling socket and probes the NAT again: 0, -2002 (no init) or -2202. */
  async function resetP2P(): Promise<number> {
    if (!initialised || !signal) return ErrorCode.NOT_INITIALISED;
    const monitor = nat;
    try {
      await signal.connect();
    } catch {
      return ErrorCode.PROBE_ERROR;
    }
    if (!monitor) return ErrorCode.OK;
    try {
      await monitor.probe('reset');
    } catch {
      return nat === monitor ? ErrorCode.PROBE_ERROR : ErrorCode.NOT_INITIALISED;
    }
    return nat === monitor ? ErrorCode.OK : ErrorCode.NOT_INITIALISED;
  }

  /** The last NAT probe (state 'unsupported' where the platform cannot probe); undefined before init. */
  function getNatStats(): NatStats | undefined {
    if (!initialised) return undefined;
    return nat ? nat.stats() : NatMonitor.unsupported();
  }

  async function startP2PService(id: string, streamInfo: StreamInfo, callbacks: ServiceCallbacks): Promise<number> {
    if (!initialised || !signal) return ErrorCode.NOT_INITIALISED;
    if (!validId(id)) return failWith(String(id), ErrorCode.PARAM_ERROR, 'id must be a non-empty string');
    if (!callbacks || !isFn(callbacks.msgCallback) || (callbacks.dataCallback && !isFn(callbacks.dataCallback))) {
      return failWith(id, ErrorCode.PARAM_ERROR, 'callbacks.msgCallback must be a function');
    }
    if (services.has(id) || swarms.has(id)) {
      return failWith(id, ErrorCode.SERVICE_ALREADY_STARTED, `service ${id} is already started`);
    }
    if (!streamInfo || typeof streamInfo.url !== 'string') {
      return failWith(id, ErrorCode.PARAM_ERROR, 'streamInfo.url is required');
    }
    let defaultRequest: DeviceRequest;
    try {
      defaultRequest = parseDeviceRequestUrl(streamInfo.url);
    } catch {
      return startOneToMany(id, streamInfo, callbacks);
    }
    if (!streamInfo.productId || !streamInfo.deviceName || !streamInfo.xp2pInfo) {
      return failWith(id, ErrorCode.PARAM_ERROR, '1v1 needs productId, deviceName and xp2pInfo');
    }
    let info;
    try {
      info = xp2pInfoFor(streamInfo.xp2pInfo, streamInfo.productId, streamInfo.deviceName);
      assertDeviceVersionSupported(info);
    } catch (err) {
      if (isXP2PError(err)) return failWith(id, err.code, err.message);
      throw err;
    }

    const { productId, deviceName } = info.payload;
    const abort = new AbortController();
    const service: Service = {
      id,
      streamInfo,
      info,
      defaultRequest,
      callbacks: { ...callbacks },
      abort,
      stopped: false,
      connecting: IpcSession.open({
        platform,
        signal,
        token: info.payload.token,
        renewToken: async () => {
          if (!appParams) throw new Error('not initialised');
          const { xp2pInfo } = await fetchXp2pInfo(appParams, { productId, deviceName });
          return xp2pInfoFor(xp2pInfo, productId, deviceName).payload.token;
        },
        raceAfterMs: cfg.connectRaceAfterMs,
        relayAfterMs: cfg.relayAfterMs,
        maxAttempts: cfg.maxConnectAttempts,
        connectTimeoutMs: cfg.connectTimeoutMs,
        headTimeoutMs: cfg.requestHeadTimeoutMs,
        heartbeatMs: cfg.heartbeatMs,
        pathLostAfterMs: cfg.pathLostAfterMs,
        reconnectWindowMs: cfg.reconnectWindowMs,
        abort: abort.signal,
        log: (line) => log(service, line),
      }),
    };
    services.set(id, service);
    service.connecting.catch(() => {
      /* handled below; keeps the rejection from being "unhandled" while startP2PStream also awaits it */
    });
    let session: IpcSession;
    try {
      session = await service.connecting;
    } catch (err) {
      if (services.get(id) === service) services.delete(id);
      if (service.stopped) return ErrorCode.OK;
      return failWith(id, ErrorCode.START_STREAM_FAILED, `cannot connect to the camera: ${describe(err)}`, service);
    }
    if (service.stopped) {
      session.close();
      return ErrorCode.OK;
    }
    service.session = session;
    session.on({
      // a broken path often means the network changed: probe the NAT now, so natChanged fires without
      // waiting for the periodic probe
      pathLost: () => {
        nat?.probe('path-lost').catch(() => {
          /* reported by natError */
        });
      },
    });
    session.onDisconnect((reason) => {
      log(service, `disconnected: ${reason}`);
      service.voice?.stop();
      service.voice = undefined;
      if (service.stream) {
        service.stream.handle.cancel();
        service.stream.report.close();
        service.stream = undefined;
      }
      if (services.get(id) === service) services.delete(id);
      notify(service, XP2PNotify_SubType.Disconnect, { reason });
    });
    notify(service, XP2PNotify_SubType.Connected);
    if (callbacks.dataCallback) return startP2PStream(id, { dataCallback: callbacks.dataCallback });
    return ErrorCode.OK;
  }

  /** 1vN: `url` is an origin's live stream, http(s)://host/live/NAME.flv */
  async function startOneToMany(id: string, streamInfo: StreamInfo, callbacks: ServiceCallbacks): Promise<number> {
    try {
      parseStreamUrl(streamInfo.url);
    } catch {
      return failWith(
        id,
        ErrorCode.PARAM_ERROR,
        'url must be a 1v1 url (http://XP2P_INFO.xnet/ipc.p2p.com/...) or a live stream http(s)://host/live/NAME.flv',
      );
    }
    const urls: unknown = streamInfo.urls;
    if (urls !== undefined) {
      if (!Array.isArray(urls) || urls.length > 16 || !urls.every((u) => typeof u === 'string' && u.length <= 1024))
        return failWith(id, ErrorCode.PARAM_ERROR, 'urls must be an array of at most 16 stream URLs');
      try {
        streamNodesOf(streamInfo.url, { urls: urls as string[] });
      } catch (err) {
        return failWith(id, ErrorCode.PARAM_ERROR, describe(err));
      }
    }
    if (!callbacks.dataCallback) return failWith(id, ErrorCode.PARAM_ERROR, '1vN needs callbacks.dataCallback');
    if (!appParams) return ErrorCode.NOT_INITIALISED;
    const service: SwarmService = { callbacks: { ...callbacks }, stopped: false };
    swarms.set(id, service);
    try {
      await startSwarmService({
        platform,
        app: appParams,
        streamUrl: streamInfo.url,
        ...(streamInfo.urls ? { alternativeUrls: streamInfo.urls } : {}),
        upload: streamInfo.upload !== false,
        service,
      });
      return ErrorCode.OK;
    } catch (err) {
      if (swarms.get(id) === service) swarms.delete(id);
      if (service.stopped) return ErrorCode.OK;
      return failWith(id, ErrorCode.START_STREAM_FAILED, `cannot join the stream: ${describe(err)}`, undefined);
    }
  }

  async function startP2PStream(id: string, params: StreamParams): Promise<number> {
    if (!initialised) return ErrorCode.NOT_INITIALISED;
    const service = services.get(id);
    if (!service) return failWith(String(id), ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    if (!params || !isFn(params.dataCallback))
      return failWith(id, ErrorCode.PARAM_ERROR, 'dataCallback is required', service);
    if (service.stream) return failWith(id, ErrorCode.SERVICE_ALREADY_STARTED, 'a stream is already running', service);
    let request = service.defaultRequest;
    if (params.flv) {
      if (typeof params.flv.filename !== 'string' || typeof params.flv.params !== 'string') {
        return failWith(id, ErrorCode.PARAM_ERROR, 'flv needs filename and params strings', service);
      }
      request = { path: params.flv.filename, query: params.flv.params };
    }
    let session: IpcSession;
    // TTFF counts the connect too when the stream had to wait for it (a cold start), else from this call
    const waitedForConnect = !service.session;
    const askedAt = performance.now();
    try {
      session = service.session ?? (await service.connecting);
    } catch (err) {
      return failWith(id, ErrorCode.START_STREAM_FAILED, describe(err), service);
    }
    if (!(await session.ready())) return failWith(id, ErrorCode.START_STREAM_FAILED, 'disconnected', service);
    if (service.stopped) return ErrorCode.START_STREAM_FAILED;

    return new Promise<number>((resolve) => {
      let settled = false;
      const settle = (code: number) => {
        if (!settled) {
          settled = true;
          resolve(code);
        }
      };
      const stream = {
        dataCallback: params.dataCallback,
        startedAt: performance.now(),
        firstByteAt: undefined as number | undefined,
        bytes: 0,
        handle: undefined as unknown as ReturnType<IpcSession['request']>,
        report: new StreamReport(session),
      };
      const endStream = () => {
        stream.report.close();
        if (service.stream === stream) service.stream = undefined;
      };
      notify(service, XP2PNotify_SubType.Request);
      try {
        const open = isLiveRequest(request)
          ? (h: Parameters<IpcSession['request']>[1]) =>
              openLiveStream(session, request, h, (line) => log(service, line))
          : (h: Parameters<IpcSession['request']>[1]) => session.request(request, h);
        stream.handle = open({
          onHead(status, headers) {
            notify(service, XP2PNotify_SubType.Parsed, { status, headers });
            if (status >= 200 && status < 300) return settle(ErrorCode.OK);
            endStream();
            stream.handle.cancel();
            settle(
              failWith(
                id,
                ErrorCode.START_STREAM_FAILED,
                `camera answered ${status}: ${headers['x-reason'] ?? ''}`,
                service,
              ),
            );
          },
          onData(data) {
            if (stream.firstByteAt === undefined) {
              stream.firstByteAt = performance.now();
              stream.report.firstBytes(stream.firstByteAt - (waitedForConnect ? session.timings.startedAt : askedAt));
            }
            stream.bytes += data.byteLength;
            stream.report.received(data.byteLength);
            safeCall(stream.dataCallback, data);
          },
          onEnd() {
            endStream();
            notify(service, XP2PNotify_SubType.Eof);
          },
          onError(err) {
            endStream();
            if (!settled) settle(failWith(id, ErrorCode.START_STREAM_FAILED, err.message, service));
            else {
              log(service, `stream failed: ${err.message}`);
              notify(service, XP2PNotify_SubType.Disconnect, { reason: err.message });
            }
          },
        });
      } catch (err) {
        settle(failWith(id, ErrorCode.START_STREAM_FAILED, describe(err), service));
        return;
      }
      service.stream = stream;
    });
  }

  function stopP2PStream(id: string): void {
    const service = services.get(id);
    if (!service?.stream) return;
    service.stream.handle.cancel();
    service.stream.report.close();
    service.stream = undefined;
    notify(service, XP2PNotify_SubType.Close);
  }

  function stopP2PService(id: string): void {
    const swarm = swarms.get(id);
    if (swarm) {
      swarm.stopped = true;
      swarm.viewer?.stop();
      swarms.delete(id);
      return;
    }
    const service = services.get(id);
    if (!service) return;
    stopP2PStream(id);
    stopVoiceService(id);
    stopLocalDownload(id);
    service.stopped = true;
    service.abort.abort();
    service.session?.close();
    services.delete(id);
  }

  /** The connected session of a service, or the guide code saying why there is none. */
  async function sessionOf(
    id: string,
  ): Promise<{ service: Service; session: IpcSession } | { code: ErrorCodeValue; why: string }> {
    if (!initialised) return { code: ErrorCode.NOT_INITIALISED, why: 'call init first' };
    const service = services.get(id);
    if (!service) return { code: ErrorCode.SERVICE_NOT_STARTED, why: `service ${id} is not started` };
    try {
      const session = service.session ?? (await service.connecting);
      // while the session reconnects after a broken path, wait for it rather than fail at once
      if (!(await session.ready())) return { code: ErrorCode.SERVICE_NOT_STARTED, why: `service ${id} disconnected` };
      return { service, session };
    } catch (err) {
      return { code: ErrorCode.SERVICE_NOT_STARTED, why: `service ${id} has no connection: ${describe(err)}` };
    }
  }

  async function sendCommand(
    id: string,
    command: string,
    options: { timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    if (typeof command !== 'string' || command.length === 0)
      return commandError(ErrorCode.PARAM_ERROR, 'command must be a non-empty string');
    if (new TextEncoder().encode(command).byteLength > COMMAND_MAX_BYTES) {
      return commandError(ErrorCode.PARAM_ERROR, `command longer than ${COMMAND_MAX_BYTES} bytes`);
    }
    const s = await sessionOf(id);
    if ('code' in s) return commandError(s.code, s.why);
    return runCommand(s.session, commandRequest(command), options.timeoutMs ?? cfg.commandTimeoutMs);
  }

  async function startVoiceService(
    id: string,
    recorderManager: RecorderManager,
    options: RecorderStartOptions,
    callbacks: VoiceCallbacks = {},
  ): Promise<number> {
    if (!initialised) return ErrorCode.NOT_INITIALISED;
    if (!isRecorderManager(recorderManager))
      return failWith(id, ErrorCode.PARAM_ERROR, 'recorderManager lacks RecorderManager methods');
    if (!options || typeof options.format !== 'string' || options.format.toUpperCase() !== 'PCM') {
      return failWith(id, ErrorCode.PARAM_ERROR, "options.format must be 'PCM'");
    }
    const s = await sessionOf(id);
    if ('code' in s) return failWith(id, s.code, s.why);
    if (s.service.voice) return failWith(id, ErrorCode.SERVICE_ALREADY_STARTED, 'talkback already running', s.service);
    const channel = Number(new URLSearchParams(s.service.defaultRequest.query).get('channel') ?? '0') || 0;
    const started = await startVoice(s.session, recorderManager, options, callbacks ?? {}, channel, (reason) => {
      log(s.service, `talkback ended: ${reason}`);
      s.service.voice = undefined;
    });
    if (started.code !== ErrorCode.OK || !started.talk) {
      return failWith(id, started.code, started.why ?? 'talkback failed', s.service);
    }
    s.service.voice = started.talk;
    return ErrorCode.OK;
  }

  function stopVoiceService(id: string): void {
    const service = services.get(id);
    service?.voice?.stop();
    if (service) service.voice = undefined;
  }

  async function startLocalDownload(
    id: string,
    options: { urlParams: string },
    callbacks: DownloadCallbacks,
  ): Promise<number> {
    if (!initialised) return ErrorCode.NOT_INITIALISED;
    if (!options || typeof options.urlParams !== 'string' || !/(^|&)file_name=/.test(options.urlParams)) {
      return failWith(id, ErrorCode.PARAM_ERROR, 'options.urlParams must name file_name=...');
    }
    if (!callbacks || !isFn(callbacks.onReceiveChunk) || !isFn(callbacks.onComplete)) {
      return failWith(id, ErrorCode.PARAM_ERROR, 'callbacks.onReceiveChunk and onComplete are required');
    }
    const s = await sessionOf(id);
    if ('code' in s) return failWith(id, s.code, s.why);
    if (s.service.download)
      return failWith(id, ErrorCode.SERVICE_ALREADY_STARTED, 'a download is already running', s.service);
    const service = s.service;
    let finished = false;
    const started = await startDownload(
      s.session,
      options.urlParams,
      callbacks,
      platform.createSha256 ?? pureSha256,
      () => {
        finished = true;
        service.download = undefined;
      },
      (line) => log(service, line),
    );
    if (started.code !== ErrorCode.OK)
      return failWith(id, ErrorCode.DOWNLOAD_FAILED, started.why ?? 'download failed', service);
    if (started.download && !finished) service.download = started.download;
    return ErrorCode.OK;
  }

  function stopLocalDownload(id: string): void {
    const service = services.get(id);
    service?.download?.cancel();
    if (service) service.download = undefined;
  }

  function updateServiceCallbacks(id: string, callbacks: ServiceCallbacks): number {
    const swarm = swarms.get(id);
    if (swarm && callbacks && (callbacks.msgCallback === undefined || isFn(callbacks.msgCallback))) {
      swarm.callbacks = { ...swarm.callbacks, ...callbacks };
      return ErrorCode.OK;
    }
    const service = services.get(id);
    if (!callbacks || (callbacks.msgCallback !== undefined && !isFn(callbacks.msgCallback)))
      return ErrorCode.PARAM_ERROR;
    if (callbacks.dataCallback !== undefined && !isFn(callbacks.dataCallback)) return ErrorCode.PARAM_ERROR;
    if (!service) return ErrorCode.SERVICE_NOT_STARTED;
    service.callbacks = { ...service.callbacks, ...callbacks };
    if (callbacks.dataCallback && service.stream) service.stream.dataCallback = callbacks.dataCallback;
    return ErrorCode.OK;
  }

  async function getServiceStats(id: string): Promise<ServiceStats | undefined> {
    const service = services.get(id);
    if (!service?.session) return undefined;
    return {
      timings: {
        ...service.session.timings,
        streamStartedAt: service.stream?.startedAt,
        firstByteAt: service.stream?.firstByteAt,
      },
      bytes: service.stream?.bytes ?? 0,
      path: await service.session.selectedPath(),
      recoveries: [...service.session.recoveries],
    };
  }

  return {
    XP2PEventEnum,
    XP2PNotify_SubType,
    init,
    destroy,
    resetP2P,
    getNatStats,
    getUUID: () => uuid,
    startP2PService,
    stopP2PService,
    stopServiceById: stopP2PService,
    startP2PStream,
    stopP2PStream,
    updateServiceCallbacks,
    sendCommand,
    startVoiceService,
    stopVoiceService,
    startLocalDownload,
    stopLocalDownload,
    /** Why the last call for `id` returned a non-zero code (ours; the guide has only the code). */
    lastError: (id: string): string | undefined => lastErrors.get(id),
    getServiceStats,
    /** 1vN figures for a service: p2pBytes, cdnBytes, uploadBytes, peers, stalls, lagMs ... */
    getSwarmStats: (id: string) => {
      const swarm = swarms.get(id);
      return swarm ? swarmStats(swarm) : undefined;
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
