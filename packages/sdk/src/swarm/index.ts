/**
 * The 1vN swarm: engine (transport- and clock-agnostic) and the WebRTC/HTTP/tracker bindings. The simulator
 * is exported from `@xp2p/sdk/node` only: it is a benchmark tool, and 15 kB of the browser bundle otherwise.
 */
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
