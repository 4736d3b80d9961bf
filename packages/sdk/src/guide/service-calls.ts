/**
 * The guide's per-service calls: parameter checks (-2000 ...), the registry of services by id, and the
 * hand-over to the service: a 1v1 OneToOneService (one-to-one/service) or a 1vN swarm service
 * (one-to-many-service.ts).
 */
import {
  assertDeviceVersionSupported,
  ErrorCode,
  isXP2PError,
  parseDeviceRequestUrl,
  type DeviceRequest,
  type ErrorCodeValue,
  type Xp2pInfo,
} from '@xp2p/protocol';
import type { SDK_DEFAULTS } from '../defaults.js';
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
import type { TypedEmitter } from '../typed-emitter.js';
import type { DataCallback, ServiceCallbacks } from '../guide-events.js';
import type { ModuleHost } from './module-host.js';
import type { Initialised, ModuleLifecycle } from './module-lifecycle.js';
import { startOneToMany, stopSwarmService, swarmStats, type SwarmService } from './one-to-many-service.js';
import { cameraOneToManyJoiner } from './camera-one-to-many.js';
import { isFn, validId, validServiceCallbacks } from './validate.js';
import { xp2pInfoFor } from './xp2p-info-check.js';

export interface StreamParams {
  dataCallback: DataCallback;
  flv?: { filename: string; params: string };
}

export class ServiceCalls {
  private readonly services = new Map<string, OneToOneService>();
  /** 1vN services, by the same ids (an id is either 1v1 or 1vN) */
  private readonly swarms = new Map<string, SwarmService>();
  private readonly lastErrors = new Map<string, string>();

  constructor(
    private readonly host: ModuleHost,
    private readonly config: typeof SDK_DEFAULTS,
    private readonly lifecycle: ModuleLifecycle,
    private readonly events: TypedEmitter<P2PEventMap>,
  ) {}

  async startP2PService(id: string, streamInfo: StreamInfo, callbacks: ServiceCallbacks): Promise<number> {
    const s = this.lifecycle.current;
    if (!s) return this.notInitialised(String(id));
    if (!validId(id)) return this.fail(String(id), ErrorCode.PARAM_ERROR, 'id must be a non-empty string');
    if (!validServiceCallbacks(callbacks))
      return this.fail(id, ErrorCode.PARAM_ERROR, 'callbacks.msgCallback must be a function');
    if (this.services.has(id) || this.swarms.has(id)) {
      return this.fail(id, ErrorCode.SERVICE_ALREADY_STARTED, `service ${id} is already started`);
    }
    if (!streamInfo || typeof streamInfo.url !== 'string') {
      return this.fail(id, ErrorCode.PARAM_ERROR, 'streamInfo.url is required');
    }
    let defaultRequest: DeviceRequest;
    try {
      defaultRequest = parseDeviceRequestUrl(streamInfo.url);
    } catch {
      const fail = (code: ErrorCodeValue, why: string) => this.fail(id, code, why);
      return startOneToMany(id, streamInfo, callbacks, {
        platform: this.host.platform,
        app: s.app,
        credentials: s.credentials,
        swarms: this.swarms,
        fail,
      });
    }
    const info = this.checkedXp2pInfo(id, streamInfo);
    if (typeof info === 'number') return info;
    const oneToManyWhenFull = streamInfo.oneToManyWhenFull ?? this.config.oneToManyWhenFull;
    const service = this.newService(id, s, info, defaultRequest, callbacks, oneToManyWhenFull !== false);
    this.services.set(id, service);
    return service.start();
  }

  async startP2PStream(id: string, params: StreamParams): Promise<number> {
    if (!this.lifecycle.current) return this.notInitialised(id);
    if (this.swarms.has(id)) return this.unsupportedOnSwarm(id, 'startP2PStream');
    const service = this.services.get(id);
    if (!service) return this.fail(String(id), ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    const log = (line: string) => service.log(line);
    if (!params || !isFn(params.dataCallback))
      return this.fail(id, ErrorCode.PARAM_ERROR, 'dataCallback is required', log);
    let request: DeviceRequest | undefined;
    if (params.flv) {
      if (typeof params.flv.filename !== 'string' || typeof params.flv.params !== 'string') {
        return this.fail(id, ErrorCode.PARAM_ERROR, 'flv needs filename and params strings', log);
      }
      request = { path: params.flv.filename, query: params.flv.params };
    }
    return service.startStream(request, params.dataCallback);
  }

  stopP2PService(id: string): void {
    const swarm = this.swarms.get(id);
    if (swarm) {
      stopSwarmService(swarm);
      this.swarms.delete(id);
      return;
    }
    this.services.get(id)?.stop();
  }

  stopAll(): void {
    for (const id of [...this.services.keys(), ...this.swarms.keys()]) this.stopP2PService(id);
  }

  stopP2PStream(id: string): void {
    this.services.get(id)?.stopStream();
  }

  stopVoiceService(id: string): void {
    this.services.get(id)?.stopVoice();
  }

  stopLocalDownload(id: string): void {
    this.services.get(id)?.stopDownload();
  }

  async sendCommand(id: string, command: string, options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const refuse = (code: ErrorCodeValue, why: string) => commandError(this.fail(String(id), code, why), why);
    if (typeof command !== 'string' || command.length === 0)
      return refuse(ErrorCode.PARAM_ERROR, 'command must be a non-empty string');
    if (new TextEncoder().encode(command).byteLength > COMMAND_MAX_BYTES) {
      return refuse(ErrorCode.PARAM_ERROR, `command longer than ${COMMAND_MAX_BYTES} bytes`);
    }
    if (!this.lifecycle.current) return refuse(ErrorCode.NOT_INITIALISED, 'call init first');
    if (this.swarms.has(id)) return refuse(ErrorCode.UNSUPPORTED_OPERATION, unsupportedWhy(id, 'sendCommand'));
    const service = this.services.get(id);
    if (!service) return refuse(ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    return service.command(commandRequest(command), options.timeoutMs ?? this.config.commandTimeoutMs);
  }

  async startVoiceService(
    id: string,
    recorderManager: RecorderManager,
    options: RecorderStartOptions,
    callbacks: VoiceCallbacks = {},
  ): Promise<number> {
    if (!this.lifecycle.current) return this.notInitialised(id);
    if (this.swarms.has(id)) return this.unsupportedOnSwarm(id, 'startVoiceService');
    if (!isRecorderManager(recorderManager))
      return this.fail(id, ErrorCode.PARAM_ERROR, 'recorderManager lacks RecorderManager methods');
    if (!options || typeof options.format !== 'string' || options.format.toUpperCase() !== 'PCM') {
      return this.fail(id, ErrorCode.PARAM_ERROR, "options.format must be 'PCM'");
    }
    const service = this.serviceFor(id);
    if (typeof service === 'number') return service;
    return service.startVoice(recorderManager, options, callbacks ?? {});
  }

  async startLocalDownload(id: string, options: { urlParams: string }, callbacks: DownloadCallbacks): Promise<number> {
    if (!this.lifecycle.current) return this.notInitialised(id);
    if (this.swarms.has(id)) return this.unsupportedOnSwarm(id, 'startLocalDownload');
    if (!options || typeof options.urlParams !== 'string' || !/(^|&)file_name=/.test(options.urlParams)) {
      return this.fail(id, ErrorCode.PARAM_ERROR, 'options.urlParams must name file_name=...');
    }
    if (!callbacks || !isFn(callbacks.onReceiveChunk) || !isFn(callbacks.onComplete)) {
      return this.fail(id, ErrorCode.PARAM_ERROR, 'callbacks.onReceiveChunk and onComplete are required');
    }
    const service = this.serviceFor(id);
    if (typeof service === 'number') return service;
    return service.startDownload(options.urlParams, callbacks);
  }

  updateServiceCallbacks(id: string, callbacks: ServiceCallbacks): number {
    const swarm = this.swarms.get(id);
    if (swarm && callbacks && (callbacks.msgCallback === undefined || isFn(callbacks.msgCallback))) {
      swarm.callbacks = { ...swarm.callbacks, ...callbacks };
      return ErrorCode.OK;
    }
    const service = this.services.get(id);
    if (!callbacks || (callbacks.msgCallback !== undefined && !isFn(callbacks.msgCallback)))
      return this.fail(String(id), ErrorCode.PARAM_ERROR, 'callbacks.msgCallback must be a function');
    if (callbacks.dataCallback !== undefined && !isFn(callbacks.dataCallback))
      return this.fail(String(id), ErrorCode.PARAM_ERROR, 'callbacks.dataCallback must be a function');
    if (!service) return this.fail(String(id), ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    service.updateCallbacks(callbacks);
    return ErrorCode.OK;
  }

  lastError(id: string): string | undefined {
    return this.lastErrors.get(id);
  }

  async getServiceStats(id: string): Promise<ServiceStats | undefined> {
    return this.services.get(id)?.stats();
  }

  getSwarmStats(id: string) {
    const swarm = this.swarms.get(id);
    return swarm ? swarmStats(swarm) : undefined;
  }

  /** The service for a call that needs a started 1v1 service, or the guide's code. */
  private serviceFor(id: string): OneToOneService | ErrorCodeValue {
    const service = this.services.get(id);
    if (!service) return this.fail(id, ErrorCode.SERVICE_NOT_STARTED, `service ${id} is not started`);
    return service;
  }

  /** The xp2pInfo of a 1v1 streamInfo, checked against its camera; or the guide's code. */
  private checkedXp2pInfo(id: string, streamInfo: StreamInfo): Xp2pInfo | ErrorCodeValue {
    if (!streamInfo.productId || !streamInfo.deviceName || !streamInfo.xp2pInfo) {
      return this.fail(id, ErrorCode.PARAM_ERROR, '1v1 needs productId, deviceName and xp2pInfo');
    }
    try {
      const info = xp2pInfoFor(streamInfo.xp2pInfo, streamInfo.productId, streamInfo.deviceName);
      assertDeviceVersionSupported(info);
      return info;
    } catch (err) {
      if (isXP2PError(err)) return this.fail(id, err.code, err.message);
      throw err;
    }
  }

  private newService(
    id: string,
    s: Initialised,
    info: Xp2pInfo,
    defaultRequest: DeviceRequest,
    callbacks: ServiceCallbacks,
    oneToManyWhenFull: boolean,
  ): OneToOneService {
    const { productId, deviceName } = info.payload;
    const { host } = this;
    const service: OneToOneService = new OneToOneService({
      id,
      info,
      defaultRequest,
      callbacks,
      deps: { clock: host.clock, createPeerConnection: host.createPeerConnection, signal: s.signal },
      config: this.config,
      startRelay: s.startRelay,
      createHash: host.platform.createSha256 ?? pureSha256,
      ...(s.renewXp2pInfo
        ? {
            renewToken: async () => {
              const xp2pInfo = await s.renewXp2pInfo!({ productId, deviceName });
              return xp2pInfoFor(xp2pInfo, productId, deviceName).payload.token;
            },
          }
        : {}),
      events: this.events,
      recordError: (why) => this.lastErrors.set(id, why),
      onGone: () => {
        if (this.services.get(id) === service) this.services.delete(id);
      },
      ...(oneToManyWhenFull
        ? { joinOneToMany: cameraOneToManyJoiner(host.platform, s.app, s.credentials, this.config.serverUrl) }
        : {}),
    });
    return service;
  }

  private notInitialised(id: string): ErrorCodeValue {
    return this.fail(id, ErrorCode.NOT_INITIALISED, 'module not initialised: call init first');
  }

  /** -2004: the guide's 1vN service carries only the stream (no commands, talkback or downloads). */
  private unsupportedOnSwarm(id: string, call: string): ErrorCodeValue {
    return this.fail(id, ErrorCode.UNSUPPORTED_OPERATION, unsupportedWhy(id, call));
  }

  /** Records why the call for `id` failed (lastError), logs it where given, and returns the code. */
  private fail(id: string, code: ErrorCodeValue, why: string, log?: (line: string) => void): ErrorCodeValue {
    this.lastErrors.set(id, why);
    log?.(why);
    return code;
  }
}

function unsupportedWhy(id: string, call: string): string {
  return `${call} is a 1v1 call; service ${id} is a 1vN stream`;
}
