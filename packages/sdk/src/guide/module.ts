/**
 * The guide's p2pModule API (init, startP2PService, startP2PStream, ...): a thin facade. It checks
 * parameters (-2000 ...), keeps the registry of services by id, and hands each call to the service: a 1v1
 * OneToOneService (one-to-one/service) or a 1vN swarm service (one-to-many-service.ts). Return values are
 * the guide's numeric codes: promises resolve with 0 or a negative code, so code written for the reference
 * plugin (`res === 0`) ports over. Details of a failure go to msgCallback('log', ...) and `lastError(id)`;
 * path recovery is also reported as typed events (`on('pathLost', ...)`, service-events.ts).
 */
import {
  assertDeviceVersionSupported,
  ErrorCode,
  isXP2PError,
  parseDeviceRequestUrl,
  randomId,
  type DeviceRequest,
  type ErrorCodeValue,
  type Xp2pInfo,
} from '@xp2p/protocol';
import { serverUrlsOf, validAppParams, type AppParams } from '../app-params.js';
import { SDK_DEFAULTS } from '../defaults.js';
import { NatMonitor, type NatStats } from '../nat/monitor.js';
import type { Platform } from '../platform.js';
import { COMMAND_MAX_BYTES, commandError, commandRequest, type CommandResult } from '../one-to-one/requests/command.js';
import { pureSha256, type DownloadCallbacks } from '../one-to-one/requests/download.js';
import {
  isRecorderManager,
  type RecorderManager,
  type RecorderStartOptions,
  type VoiceCallbacks,
} from '../one-to-one/requests/recorder.js';
import { OneToOneService, type ServiceStats } from '../one-to-one/service/one-to-one-service.js';
import type { P2PEventMap } from '../one-to-one/service/service-events.js';
import type { StreamInfo } from '../one-to-one/service/service.js';
import { TypedEmitter } from '../one-to-one/typed-emitter.js';
import { safeCall, XP2PEventEnum, XP2PNotify_SubType, type DataCallback, type ServiceCallbacks } from './events.js';
import { realHost, type ModuleHost, type ModuleSignal } from './module-host.js';
import { createNatMonitor } from './nat-setup.js';
import { startOneToMany, stopSwarmService, swarmStats, type SwarmService } from './one-to-many-service.js';
import { extraStunServers, isFn, validId, validServiceCallbacks } from './validate.js';
import { fetchXp2pInfo } from './xp2p-info-client.js';
import { xp2pInfoFor } from './xp2p-info-check.js';

export type { ServiceStats } from '../one-to-one/service/one-to-one-service.js';

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

export type P2PModule = ReturnType<typeof createP2PModule>;

export function createP2PModule(platform: Platform, defaults: Partial<typeof SDK_DEFAULTS> = {}) {
  const config = { ...SDK_DEFAULTS, ...defaults };
  return createModuleOn(realHost(platform, config), config);
}

/** The module state that init sets up and destroy takes down. */
interface Initialised {
  app: AppParams;
  signal: ModuleSignal;
  nat: NatMonitor | undefined;
  eventHandler: InitOptions['eventHandler'];
}

/** The guide's module on any host (the simulator passes a virtual one, see module-host.ts). */
export function createModuleOn(host: ModuleHost, config: typeof SDK_DEFAULTS) {
  const { platform } = host;
  let state: Initialised | undefined;
  let uuid = '';
  const services = new Map<string, OneToOneService>();
  /** 1vN services, by the same ids (an id is either 1v1 or 1vN) */
  const swarms = new Map<string, SwarmService>();
  const lastErrors = new Map<string, string>();
  const events = new TypedEmitter<P2PEventMap>();
  const fail = (id: string, code: ErrorCodeValue, why: string, log?: MsgLog): ErrorCodeValue => {
    lastErrors.set(id, why);
    log?.(why);
    return code;
  };
  const logTo = (service: OneToOneService | undefined): MsgLog | undefined => service && ((line) => service.log(line));

  // a broken path often means the network changed: probe the NAT now, so natChanged fires without waiting
  // for the periodic probe
  events.on('pathLost', () =>
    state?.nat?.probe('path-lost').catch(() => {
      /* reported by natError */
    }),
  );

  async function init(options: InitOptions): Promise<number> {
    if (state) return ErrorCode.ALREADY_INITIALISED;
    if (!options || !validAppParams(options.appParams)) return ErrorCode.PARAM_ERROR;
    if (options.eventHandler !== undefined && !isFn(options.eventHandler)) return ErrorCode.PARAM_ERROR;
    const probeMode = options.probe ?? 'background';
    if (!['background', 'wait', 'off'].includes(probeMode)) return ErrorCode.PARAM_ERROR;
    const extraStun = extraStunServers(options.appParams, options.stunServers);
    if (!extraStun) return ErrorCode.PARAM_ERROR;
    uuid = randomId(16);
    const app = options.appParams;
    const emit = (event: string, detail: unknown) => safeCall(options.eventHandler, event, detail);
    const signal = host.openSignal(serverUrlsOf(app, config.serverUrl), app, (line) => emit('log', line));
    const nat = createNatMonitor({ platform, config, signal, extraStun, periodic: probeMode !== 'off', emit });
    const mine: Initialised = { app, signal, nat, eventHandler: options.eventHandler };
    state = mine;
    // Connect on intent: open the signalling socket now so the first startP2PService does not wait for it.
    signal.connect().catch(() => {
      /* retried by the first session; its failure is reported there */
    });
    if (!nat || probeMode === 'off') return ErrorCode.OK;
    const first = nat.probe('init');
    if (probeMode === 'background') {
      first.catch(() => {
        /* reported by natError */
      });
      nat.startTimer();
      return ErrorCode.OK;
    }
    try {
      await first;
    } catch {
      // the guide's init -2202: not initialised, so the app may call init again
      if (state === mine) takeDown(mine);
      return ErrorCode.PROBE_ERROR;
    }
    if (state !== mine) return ErrorCode.PROBE_ERROR; // destroyed while probing
    nat.startTimer();
    return ErrorCode.OK;
  }

  function takeDown(s: Initialised): void {
    s.nat?.stop();
    s.signal.close();
    state = undefined;
  }

  function destroy(): void {
    for (const id of [...services.keys(), ...swarms.keys()]) stopP2PService(id);
    if (state) takeDown(state);
    platform.onDestroy?.();
  }

  /** Reconnects the signalling socket and probes the NAT again: 0, -2002 (no init) or -2202. */
  async function resetP2P(): Promise<number> {
    const s = state;
    if (!s) return ErrorCode.NOT_INITIALISED;
    try {
      await s.signal.connect();
    } catch {
      return ErrorCode.PROBE_ERROR;
    }
    if (!s.nat) return ErrorCode.OK;
    try {
      await s.nat.probe('reset');
    } catch {
      return state === s ? ErrorCode.PROBE_ERROR : ErrorCode.NOT_INITIALISED;
    }
    return state === s ? ErrorCode.OK : ErrorCode.NOT_INITIALISED;
  }

  /** The last NAT probe (state 'unsupported' where the platform cannot probe); undefined before init. */
  function getNatStats(): NatStats | undefined {
    if (!state) return undefined;
    return state.nat ? state.nat.stats() : NatMonitor.unsupported();
  }

  async function startP2PService(id: string, streamInfo: StreamInfo, callbacks: ServiceCallbacks): Promise<number> {
    const s = state;
    if (!s) return ErrorCode.NOT_INITIALISED;
    if (!validId(id)) return fail(String(id), ErrorCode.PARAM_ERROR, 'id must be a non-empty string');
    if (!validServiceCallbacks(callbacks))
      return fail(id, ErrorCode.PARAM_ERROR, 'callbacks.msgCallback must be a function');
    if (services.has(id) || swarms.has(id)) {
      return fail(id, ErrorCode.SERVICE_ALREADY_STARTED, `service ${id} is already started`);
    }
    if (!streamInfo || typeof streamInfo.url !== 'string') {
      return fail(id, ErrorCode.PARAM_ERROR, 'streamInfo.url is required');
    }
    let defaultRequest: DeviceRequest;
    try {
      defaultRequest = parseDeviceRequestUrl(streamInfo.url);
    } catch {
      const why = (code: ErrorCodeValue, line: string) => fail(id, code, line);
      return startOneToMany(id, streamInfo, callbacks, { platform, app: s.app, swarms, fail: why });
    }
    const info = checkedXp2pInfo(id, streamInfo);
    if (typeof info === 'number') return info;
    const service = newService(id, s, info, defaultRequest, callbacks);
    services.set(id, service);
    return service.start();
  }

  /** The xp2pInfo of a 1v1 streamInfo, checked against its camera; or the guide's code. */
  function checkedXp2pInfo(id: string, streamInfo: StreamInfo): Xp2pInfo | ErrorCodeValue {
    if (!streamInfo.productId || !streamInfo.deviceName || !streamInfo.xp2pInfo) {
      return fail(id, ErrorCode.PARAM_ERROR, '1v1 needs productId, deviceName and xp2pInfo');
    }
    try {
      const info = xp2pInfoFor(streamInfo.xp2pInfo, streamInfo.productId, streamInfo.deviceName);
      assertDeviceVersionSupported(info);
      return info;
    } catch (err) {
      if (isXP2PError(err)) return fail(id, err.code, err.message);
      throw err;
    }
  }

  function newService(
    id: string,
    s: Initialised,
    info: Xp2pInfo,
    defaultRequest: DeviceRequest,
    callbacks: ServiceCallbacks,
  ): OneToOneService {
    const { productId, deviceName } = info.payload;
    const service: OneToOneService = new OneToOneService({
      id,
      info,
      defaultRequest,
      callbacks,
      deps: { clock: host.clock, createPeerConnection: host.createPeerConnection, signal: s.signal },
      config,
      createHash: platform.createSha256 ?? pureSha256,
      renewToken: async () => {
        const { xp2pInfo } = await fetchXp2pInfo(s.app, { productId, deviceName });
        return xp2pInfoFor(xp2pInfo, productId, deviceName).payload.token;
      },
      events,
      recordError: (why) => lastErrors.set(id, why),
      onGone: () => {
        if (services.get(id) === service) services.delete(id);
      },
    });
    return service;
  }

  async function startP2PStream(id: string, params: StreamParams): Promise<number> {
    if (!state) return ErrorCode.NOT_INITIALISED;
    const service = services.get(id);
    if (!service) return fail(String(id), ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    const log = logTo(service);
    if (!params || !isFn(params.dataCallback)) return fail(id, ErrorCode.PARAM_ERROR, 'dataCallback is required', log);
    let request: DeviceRequest | undefined;
    if (params.flv) {
      if (typeof params.flv.filename !== 'string' || typeof params.flv.params !== 'string') {
        return fail(id, ErrorCode.PARAM_ERROR, 'flv needs filename and params strings', log);
      }
      request = { path: params.flv.filename, query: params.flv.params };
    }
    return service.startStream(request, params.dataCallback);
  }

  function stopP2PService(id: string): void {
    const swarm = swarms.get(id);
    if (swarm) {
      stopSwarmService(swarm);
      swarms.delete(id);
      return;
    }
    services.get(id)?.stop();
  }

  /** The service for a call that needs a started 1v1 service, or the guide's code. */
  function serviceFor(id: string): OneToOneService | ErrorCodeValue {
    if (!state) return ErrorCode.NOT_INITIALISED;
    const service = services.get(id);
    if (!service) return fail(id, ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    return service;
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
    if (!state) return commandError(ErrorCode.NOT_INITIALISED, 'call init first');
    const service = services.get(id);
    if (!service) return commandError(ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    return service.command(commandRequest(command), options.timeoutMs ?? config.commandTimeoutMs);
  }

  async function startVoiceService(
    id: string,
    recorderManager: RecorderManager,
    options: RecorderStartOptions,
    callbacks: VoiceCallbacks = {},
  ): Promise<number> {
    if (!state) return ErrorCode.NOT_INITIALISED;
    if (!isRecorderManager(recorderManager))
      return fail(id, ErrorCode.PARAM_ERROR, 'recorderManager lacks RecorderManager methods');
    if (!options || typeof options.format !== 'string' || options.format.toUpperCase() !== 'PCM') {
      return fail(id, ErrorCode.PARAM_ERROR, "options.format must be 'PCM'");
    }
    const service = serviceFor(id);
    if (typeof service === 'number') return service;
    return service.startVoice(recorderManager, options, callbacks ?? {});
  }

  async function startLocalDownload(
    id: string,
    options: { urlParams: string },
    callbacks: DownloadCallbacks,
  ): Promise<number> {
    if (!state) return ErrorCode.NOT_INITIALISED;
    if (!options || typeof options.urlParams !== 'string' || !/(^|&)file_name=/.test(options.urlParams)) {
      return fail(id, ErrorCode.PARAM_ERROR, 'options.urlParams must name file_name=...');
    }
    if (!callbacks || !isFn(callbacks.onReceiveChunk) || !isFn(callbacks.onComplete)) {
      return fail(id, ErrorCode.PARAM_ERROR, 'callbacks.onReceiveChunk and onComplete are required');
    }
    const service = serviceFor(id);
    if (typeof service === 'number') return service;
    return service.startDownload(options.urlParams, callbacks);
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
    service.updateCallbacks(callbacks);
    return ErrorCode.OK;
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
    stopP2PStream: (id: string): void => services.get(id)?.stopStream(),
    updateServiceCallbacks,
    sendCommand,
    startVoiceService,
    stopVoiceService: (id: string): void => services.get(id)?.stopVoice(),
    startLocalDownload,
    stopLocalDownload: (id: string): void => services.get(id)?.stopDownload(),
    /** Why the last call for `id` returned a non-zero code (ours; the guide has only the code). */
    lastError: (id: string): string | undefined => lastErrors.get(id),
    getServiceStats: async (id: string): Promise<ServiceStats | undefined> => services.get(id)?.stats(),
    /** 1vN figures for a service: p2pBytes, cdnBytes, uploadBytes, peers, stalls, lagMs ... */
    getSwarmStats: (id: string) => {
      const swarm = swarms.get(id);
      return swarm ? swarmStats(swarm) : undefined;
    },
    /** Typed events of the 1v1 services (path lost, reconnecting, reconnected ...); returns the unsubscribe. */
    on: <K extends keyof P2PEventMap>(event: K, listener: (...args: P2PEventMap[K]) => void) =>
      events.on(event, listener),
    off: <K extends keyof P2PEventMap>(event: K, listener: (...args: P2PEventMap[K]) => void) =>
      events.off(event, listener),
  };
}

type MsgLog = (line: string) => void;
