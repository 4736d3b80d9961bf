/**
 * The whole 1v1 simulator in one call: virtual time, the network, the signalling server, a camera, and
 * the guide's module running on them (createModuleOn with a simulated host): the same facade, services,
 * sessions and peer links as the real sdk, in virtual time. Tests drive it with `clock.settle(call)`.
 */
import { encodeXp2pInfo, signViewerToken } from '@xp2p/protocol';
import { SDK_DEFAULTS } from '../../defaults.js';
import { createModuleOn } from '../../guide/module.js';
import type { ModuleHost } from '../../guide/module-host.js';
import type { Platform } from '../../platform.js';
import { seededRandom } from '../../swarm/sim/prng.js';
import { SimCamera, type SimCameraOptions } from './sim-camera.js';
import { SimNetwork, type SimNetworkOptions } from './sim-network.js';
import { SimPeerConnection, SimPeerRegistry } from './sim-peer-connection.js';
import { trackWebCrypto } from './sim-crypto.js';
import { SimSignalServer, SimViewerSignal } from './sim-signal.js';
import { SIM_EPOCH_MS, VirtualTime } from './virtual-time.js';

export interface SimWorldOptions {
  seed?: number;
  network?: Partial<SimNetworkOptions>;
  camera?: Partial<SimCameraOptions>;
  sdk?: Partial<typeof SDK_DEFAULTS>;
}

export const SIM_APP = Object.freeze({ appid: 'sim-app', appKey: 'sim-key', appSecretKey: 'sim-secret' });

/** What the simulated host lacks: a call reaching one of these is a bug in the test, said plainly. */
function unavailable(what: string) {
  return class {
    constructor() {
      throw new Error(`${what} is not part of the 1v1 simulator`);
    }
  };
}

function simPlatform(): Platform {
  return {
    RTCPeerConnection: unavailable('RTCPeerConnection') as unknown as Platform['RTCPeerConnection'],
    WebSocket: unavailable('WebSocket') as unknown as Platform['WebSocket'],
    fetch: () => Promise.reject(new Error('fetch is not part of the 1v1 simulator')),
  };
}

export type SimWorld = Awaited<ReturnType<typeof createSimWorld>>;

export async function createSimWorld(o: SimWorldOptions = {}) {
  const clock = new VirtualTime();
  trackWebCrypto(clock);
  const network = new SimNetwork(clock, seededRandom(o.seed ?? 1), o.network);
  const registry = new SimPeerRegistry();
  const server = new SimSignalServer(network);
  const camera = new SimCamera(network, registry, o.camera);
  server.addCamera(camera);
  const signals: SimViewerSignal[] = [];
  const host: ModuleHost = {
    platform: simPlatform(),
    clock,
    createPeerConnection: () => new SimPeerConnection(network, registry, 'viewer'),
    openSignal: () => {
      const signal = new SimViewerSignal(server);
      signals.push(signal);
      return signal;
    },
  };
  // Relay-first starts only where a test asks for them (sdk: { startRelay: true }): the other tests follow
  // the P2P path step by step, and the relay has its own.
  const p2p = createModuleOn(host, { ...SDK_DEFAULTS, startRelay: false, ...o.sdk });
  const device = { productId: camera.productId, deviceName: camera.deviceName };
  const token = await signViewerToken(
    'sim-device-secret',
    { appid: SIM_APP.appid, ...device, user: 'sim-user', role: 'owner' },
    { ttlSeconds: 24 * 3600, now: SIM_EPOCH_MS },
  );
  const xp2pInfo = encodeXp2pInfo({ payload: { v: 1, ...device, token }, deviceVersion: '2.4.50', flags: '' });
  return {
    clock,
    /** the simulated host (a test can build a second module on it) */
    host,
    network,
    server,
    camera,
    p2p,
    xp2pInfo,
    /** streamInfo for the camera; `query` of its ipc.flv url (default: live) */
    streamInfo: (query = 'action=live&channel=0') => ({
      url: `http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?${query}`,
      ...device,
      xp2pInfo,
    }),
    /** init with the simulated app (no NAT probe: the simulated host has no UDP) */
    init: () => clock.settle(p2p.init({ appParams: { ...SIM_APP }, probe: 'off' })),
    /** What the sdk holds open: timers, viewer peer connections and channels, signalling listeners. */
    leaks: () => ({
      timers: clock.pendingTimers,
      ...registry.openOnViewer(),
      signalListeners: signals.reduce((n, s) => n + s.listenerCount, 0),
    }),
  };
}
