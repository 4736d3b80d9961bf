/**
 * What the guide's module runs on: the platform (browsers, Node), a clock, peer connections and the
 * signalling connection. createP2PModule uses the real ones; the simulator (one-to-one/sim) passes its own,
 * so the whole guide API runs in virtual time in tests.
 */
import type { SDK_DEFAULTS } from '../defaults.js';
import { realClock, type Clock } from '../clock.js';
import type { ModuleSignal, PeerConnectionFactory } from '../transport.js';
import type { Platform } from '../platform.js';
import { ViewerSignal } from '../signal/signal-connection.js';
import type { SignalCredentials } from '../signal/signal-credentials.js';

export type { ModuleSignal } from '../transport.js';

export interface ModuleHost {
  platform: Platform;
  clock: Clock;
  createPeerConnection: PeerConnectionFactory;
  openSignal(
    serverUrls: string[],
    credentials: SignalCredentials,
    log: (line: string) => void,
    uuid: string,
  ): ModuleSignal;
}

/** The real host: the platform's RTCPeerConnection and WebSocket, the global timers. */
export function realHost(platform: Platform, config: typeof SDK_DEFAULTS): ModuleHost {
  return {
    platform,
    clock: realClock,
    createPeerConnection: ({ iceServers }) =>
      new platform.RTCPeerConnection({ iceServers, ...platform.rtcConfigExtras }),
    openSignal: (serverUrls, credentials, log, uuid) =>
      new ViewerSignal(platform, serverUrls, credentials, {
        clock: realClock,
        timeoutMs: config.signalTimeoutMs,
        pingMs: config.signalPingMs,
        backoff: { minMs: config.signalBackoffMinMs, maxMs: config.signalBackoffMaxMs },
        log,
        uuid,
      }),
  };
}
