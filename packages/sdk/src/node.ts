/**
 * The sdk on Node: node-datachannel's W3C polyfill for RTCPeerConnection, `ws` for WebSocket.
 * This is the only file of the sdk that imports Node-only modules.
 *
 * @module @xp2p/sdk/node
 */
import { createHash } from 'node:crypto';
import { escapeTurnCredentialsForUrl, LONG_PATH_SCTP_SETTINGS } from '@xp2p/protocol';
import { networkInterfaces } from 'node:os';
import nodeDataChannel from 'node-datachannel';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import WebSocket from 'ws';
import { createP2PModule } from './guide/module.js';
import type { Platform } from './platform.js';
import type { SDK_DEFAULTS } from './defaults.js';
import { nodeUdpTransport } from './nat/node-udp.js';
import { createTurnStreamBridge } from './nat/node-turn-bridge.js';

export interface NodePlatformOptions {
  /**
   * Local address to gather candidates on. On loopback-only hosts (and in tests) use '127.0.0.1';
   * default: the XP2P_BIND_ADDRESS environment variable, else every interface.
   */
  bindAddress?: string;
}

let sctpTuned = false;

class NodePeerConnection extends (RTCPeerConnection as unknown as new (
  config: RTCConfiguration & Record<string, unknown>,
) => object) {
  constructor(config: RTCConfiguration & Record<string, unknown> = {}) {
    // usrsctp reads these process-wide, when an association is made: set them before the first one. Window
    // and congestion control for long paths, where the defaults get half of TCP (see LONG_PATH_SCTP_SETTINGS)
    if (!sctpTuned) nodeDataChannel.setSctpSettings(LONG_PATH_SCTP_SETTINGS);
    sctpTuned = true;
    super({ ...config, iceServers: escapeTurnCredentialsForUrl(config.iceServers) });
  }
}

export function nodePlatform(options: NodePlatformOptions = {}): Platform {
  const bindAddress = options.bindAddress ?? process.env.XP2P_BIND_ADDRESS;
  // libjuice speaks TURN over UDP only: TCP and TLS TURN servers are reached through a local bridge
  const turnBridge = createTurnStreamBridge(bindAddress);
  return {
    prepareIceServers: (servers) => turnBridge.rewrite(servers),
    onDestroy: () => turnBridge.close(),
    RTCPeerConnection: NodePeerConnection as unknown as Platform['RTCPeerConnection'],
    WebSocket: WebSocket as unknown as Platform['WebSocket'],
    fetch: globalThis.fetch,
    rtcConfigExtras: bindAddress ? { bindAddress } : {},
    createSha256: () => {
      const h = createHash('sha256');
      return { update: (data) => void h.update(data), digestHex: () => h.digest('hex') };
    },
    udp: nodeUdpTransport,
    localAddresses: () =>
      Object.entries(networkInterfaces()).flatMap(([name, addrs]) => (addrs ?? []).map((a) => `${name}/${a.address}`)),
  };
}

/** A p2pModule for Node. */
export function createNodeP2PModule(options: NodePlatformOptions = {}, defaults: Partial<typeof SDK_DEFAULTS> = {}) {
  return createP2PModule(nodePlatform(options), defaults);
}

/** Frees libdatachannel's threads; call once when the process is done with WebRTC. */
export function cleanupNodeWebRTC(): void {
  nodeDataChannel.cleanup();
}

export * from './index.js';
// the 1vN simulator: a Node benchmark tool, kept out of the browser entry (and so out of xp2p-sdk.js)
export {
  runSwarmSimulation,
  SIM_DEFAULTS,
  type SwarmSimOptions,
  type SwarmSimResult,
  type SimPeerResult,
} from './swarm/sim/run-simulation.js';
export { runSwarmBench, type SwarmBenchOptions } from './swarm/sim/bench.js';
export { attackKey, ATTACK_KINDS, ATTACK_SHARES, type AttackRowFigures } from './swarm/sim/attack-bench.js';
export type { AttackKind } from './swarm/sim/sim-types.js';
export { WavFileRecorder, FfmpegRecorder, parseWav } from './node/node-recorder.js';
export { nodeUdpTransport } from './nat/node-udp.js';
