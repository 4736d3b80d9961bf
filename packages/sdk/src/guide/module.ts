/**
 * The guide's p2pModule API (init, startP2PService, startP2PStream, ...): a thin facade over the module's
 * lifecycle (module-lifecycle.ts: init, destroy, resetP2P, NAT) and its services (service-calls.ts: the
 * registry by id, each call handed to a 1v1 OneToOneService or a 1vN swarm service). Return values are
 * the guide's numeric codes: promises resolve with 0 or a negative code, so code written for the reference
 * plugin (`res === 0`) ports over. Details of a failure go to msgCallback('log', ...) and `lastError(id)`;
 * path recovery is also reported as typed events (`on('pathLost', ...)`, one-to-one/service/service-events.ts).
 */
import { SDK_DEFAULTS } from '../defaults.js';
import type { P2PEventMap } from '../one-to-one/service/service-events.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { Platform } from '../platform.js';
import { XP2PEventEnum, XP2PNotify_SubType } from '../guide-events.js';
import { realHost, type ModuleHost } from './module-host.js';
import { ModuleLifecycle } from './module-lifecycle.js';
import { ServiceCalls } from './service-calls.js';

export type { InitOptions } from './module-lifecycle.js';
export type { StreamParams } from './service-calls.js';
export type { ServiceStats } from '../one-to-one/service/one-to-one-service.js';

export type P2PModule = ReturnType<typeof createP2PModule>;

export function createP2PModule(platform: Platform, defaults: Partial<typeof SDK_DEFAULTS> = {}) {
  const config = { ...SDK_DEFAULTS, ...defaults };
  return createModuleOn(realHost(platform, config), config);
}

type Listener<K extends keyof P2PEventMap> = (...args: P2PEventMap[K]) => void;

/** The guide's module on any host (the simulator passes a virtual one, see module-host.ts). */
export function createModuleOn(host: ModuleHost, config: typeof SDK_DEFAULTS) {
  const events = new TypedEmitter<P2PEventMap>();
  const life = new ModuleLifecycle(host, config);
  const calls = new ServiceCalls(host, config, life, events);
  events.on('pathLost', () => life.probeAfterPathLoss());
  const stopP2PService = (id: string): void => calls.stopP2PService(id);
  return {
    XP2PEventEnum,
    XP2PNotify_SubType,
    init: (options: Parameters<ModuleLifecycle['init']>[0]) => life.init(options),
    destroy: (): void => {
      calls.stopAll();
      life.takeDown();
      host.platform.onDestroy?.();
    },
    resetP2P: () => life.resetP2P(),
    getNatStats: () => life.getNatStats(),
    getUUID: () => life.uuid,
    startP2PService: (...a: Parameters<ServiceCalls['startP2PService']>) => calls.startP2PService(...a),
    stopP2PService,
    stopServiceById: stopP2PService,
    startP2PStream: (...a: Parameters<ServiceCalls['startP2PStream']>) => calls.startP2PStream(...a),
    stopP2PStream: (id: string): void => calls.stopP2PStream(id),
    updateServiceCallbacks: (...a: Parameters<ServiceCalls['updateServiceCallbacks']>) =>
      calls.updateServiceCallbacks(...a),
    sendCommand: (...a: Parameters<ServiceCalls['sendCommand']>) => calls.sendCommand(...a),
    startVoiceService: (...a: Parameters<ServiceCalls['startVoiceService']>) => calls.startVoiceService(...a),
    stopVoiceService: (id: string): void => calls.stopVoiceService(id),
    startLocalDownload: (...a: Parameters<ServiceCalls['startLocalDownload']>) => calls.startLocalDownload(...a),
    stopLocalDownload: (id: string): void => calls.stopLocalDownload(id),
    /** Why the last call for `id` returned a non-zero code (ours; the guide has only the code). */
    lastError: (id: string): string | undefined => calls.lastError(id),
    getServiceStats: (id: string) => calls.getServiceStats(id),
    /** 1vN figures for a service: p2pBytes, cdnBytes, uploadBytes, peers, stalls, lagMs ... */
    getSwarmStats: (id: string) => calls.getSwarmStats(id),
    /** Typed events of the 1v1 services (path lost, reconnecting, reconnected ...); returns the unsubscribe. */
    on: <K extends keyof P2PEventMap>(event: K, listener: Listener<K>) => events.on(event, listener),
    off: <K extends keyof P2PEventMap>(event: K, listener: Listener<K>) => events.off(event, listener),
  };
}
