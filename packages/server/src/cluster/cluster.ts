/**
 * What the signalling code needs from "the other nodes": where a device is logged in, a way to send a
 * message to another node, and whether the shared store is reachable. One process alone uses
 * `standaloneCluster()` (no Redis, always ready, every device is local); `--redis` gives redis-cluster.ts.
 */
import type { PeerSignal, RelayFrame, ServerToDevice, ServerToViewer } from '@xp2p/protocol';

/** A device logged in somewhere in the cluster. */
export interface DeviceLocation {
  node: string;
  version: string;
}

/** A 1vN stream published on some node: where to fetch its chunks from (that node's base URL). */
export interface StreamLocation {
  node: string;
  url: string;
  epoch: string;
}

/** A tracker peer connected to another node. */
export interface RemotePeer {
  id: string;
  node: string;
  upload: boolean;
}

/** One node's figures for one stream's swarm (summed over nodes by GET /api/streams/NAME/stats). */
export interface SwarmFigures {
  peers: number;
  p2pBytes: number;
  cdnBytes: number;
  uploadBytes: number;
  stalls: number;
  /** media bytes this node served for the stream (HTTP-FLV, init and chunk downloads) */
  originBytes: number;
}

/** Messages between nodes, one JSON object per Redis publish to the receiving node's channel. */
export type BusMessage =
  | {
      t: 'to-device';
      from: string;
      sessionId: string;
      productId: string;
      deviceName: string;
      message: ServerToDevice;
    }
  | { t: 'to-viewer'; from: string; sessionId: string; message: Exclude<ServerToViewer, RelayFrame> }
  /** a relay frame (its binary form, protocol/src/signal/start-relay-binary.ts, in base64) for a viewer on the receiving node */
  | { t: 'relay-to-viewer'; from: string; sessionId: string; frame: string }
  /** the device logged in on `from`: the node that had it must close its old socket */
  | { t: 'device-replaced'; from: string; productId: string; deviceName: string }
  /** a tracker signal from a peer on `from` to a peer on the receiving node */
  | { t: 'peer-signal'; from: string; stream: string; fromPeer: string; toPeer: string; signal: PeerSignal }
  /** a peer on `from` left: tell `to` (peers on the receiving node it was linked to) */
  | { t: 'peer-left'; from: string; stream: string; peerId: string; to: string[] };

/** Thrown when the shared store cannot answer (Redis down): callers refuse with 503, never crash. */
export class ClusterUnavailableError extends Error {
  override name = 'ClusterUnavailableError';
}

export interface Cluster {
  readonly nodeId: string;
  /** true when the shared store is reachable (always, standalone) */
  readonly enabled: boolean;
  ready(): boolean;
  /** Where a device not logged in here is; undefined when offline everywhere. Throws ClusterUnavailableError. */
  findDevice(productId: string, deviceName: string): Promise<DeviceLocation | undefined>;
  /** Locations of many devices at once (for listings); missing keys are offline. Throws ClusterUnavailableError. */
  findDevices(keys: readonly string[]): Promise<Map<string, DeviceLocation>>;
  deviceOnline(productId: string, deviceName: string, version: string): void;
  deviceOffline(productId: string, deviceName: string): void;
  /** A stream published here (not a mirror): kept in the store, with a TTL, until streamEnded. */
  streamPublished(name: string, location: StreamLocation): void;
  streamEnded(name: string): void;
  /** Where a stream is published; undefined when nowhere. Throws ClusterUnavailableError. */
  findStream(name: string): Promise<StreamLocation | undefined>;
  /** Every stream published on any node (at most `limit`), by name. Throws ClusterUnavailableError. */
  publishedStreams(limit: number): Promise<Map<string, StreamLocation>>;
  /** Tracker peers of this node, per stream, so the other nodes can introduce theirs to them. */
  swarmJoined(stream: string, peerId: string, upload: boolean): void;
  swarmLeft(stream: string, peerId: string): void;
  /**
   * Peers of `stream` on the other nodes: all of them, or a random sample of at most `perNode` from each
   * node (a joining peer needs a few neighbours, not the whole swarm). Throws ClusterUnavailableError.
   */
  swarmMembers(stream: string, perNode: number): Promise<RemotePeer[]>;
  /** The node a peer of `stream` is connected to, if any other node has it. Throws ClusterUnavailableError. */
  swarmPeerNode(stream: string, peerId: string): Promise<string | undefined>;
  /** This node's latest figures for a stream (written at most about once a second). */
  putSwarmFigures(stream: string, figures: SwarmFigures): void;
  /** The other nodes' figures for a stream. Throws ClusterUnavailableError. */
  swarmFigures(stream: string): Promise<SwarmFigures[]>;
  /**
   * Claims a signed request's nonce cluster-wide: true the first time, false when any node saw it within
   * `ttlMs`. Throws ClusterUnavailableError (callers refuse: a replay cannot be ruled out).
   */
  claimNonce(key: string, ttlMs: number): Promise<boolean>;
  /** Delivers to another node; resolves false when nobody received it (node gone, or store down). */
  send(node: string, message: BusMessage): Promise<boolean>;
  onMessage(handler: (message: BusMessage) => void): void;
  close(): Promise<void>;
}

export function standaloneCluster(nodeId: string): Cluster {
  return {
    nodeId,
    enabled: false,
    ready: () => true,
    findDevice: () => Promise.resolve(undefined),
    findDevices: () => Promise.resolve(new Map()),
    deviceOnline: () => {},
    deviceOffline: () => {},
    streamPublished: () => {},
    streamEnded: () => {},
    findStream: () => Promise.resolve(undefined),
    publishedStreams: () => Promise.resolve(new Map()),
    swarmJoined: () => {},
    swarmLeft: () => {},
    swarmMembers: () => Promise.resolve([]),
    swarmPeerNode: () => Promise.resolve(undefined),
    putSwarmFigures: () => {},
    swarmFigures: () => Promise.resolve([]),
    claimNonce: () => Promise.resolve(true), // the node's own nonce cache is the whole truth
    send: () => Promise.resolve(false),
    onMessage: () => {},
    close: () => Promise.resolve(),
  };
}
