/** The 1vN swarm: engine (transport- and clock-agnostic), simulator, and the WebRTC/HTTP/tracker bindings. */
export { SwarmPeer, type SwarmPeerArgs } from './engine/swarm-peer.js';
export { SWARM_DEFAULTS, type SwarmOptions } from './engine/defaults.js';
export { webCryptoSha256Hex } from './engine/hash.js';
export type {
  SwarmClock,
  OriginClient,
  MeshLink,
  MeshTransport,
  HashFn,
  SwarmJoin,
  SwarmEvent,
  SwarmOutput,
  SwarmStats,
} from './engine/types.js';
export {
  runSwarmSimulation,
  SIM_DEFAULTS,
  type SwarmSimOptions,
  type SwarmSimResult,
  type SimPeerResult,
} from './sim/run-simulation.js';
export { runSwarmBench, type SwarmBenchOptions } from './sim/bench.js';
export { attackKey, ATTACK_KINDS, ATTACK_SHARES, type AttackRowFigures } from './sim/attack-bench.js';
export type { AttackKind } from './sim/sim-types.js';
export { TrackerClient, TRACKER_PATH } from './webrtc/tracker-client.js';
export { HttpOriginClient } from './webrtc/http-origin.js';
export {
  WebRtcMesh,
  WEBRTC_MESH_DEFAULTS,
  type PeerSignalRelay,
  type WebRtcMeshOptions,
} from './webrtc/webrtc-mesh.js';
export {
  startSwarmViewer,
  parseStreamUrl,
  realClock,
  type SwarmViewer,
  type SwarmViewerOptions,
  type SwarmViewerEvent,
  type SwarmViewerStats,
} from './webrtc/start-swarm-viewer.js';
export { streamNodesOf, nodeBaseOf, type StreamNodes, type StreamAlternatives } from './webrtc/stream-nodes.js';
