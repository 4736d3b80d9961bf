/**
 * The tracker's seam to other server nodes (a cluster): one swarm per stream spans every node, so a peer
 * joined on node A is introduced to peers joined on node B, and their WebRTC signals are relayed between
 * the nodes. Alone (no cluster), `noFederation` keeps the tracker purely local and synchronous.
 */
import type { PeerSignal } from '@xp2p/protocol';
import type { PulledStreams } from '../origin/pulled-streams.js';
import { shuffled } from './swarm.js';

export interface RemotePeerInfo {
  id: string;
  upload: boolean;
}

export interface SwarmFederation {
  /** Makes a stream published on another node servable here; undefined when there is nothing to wait for. */
  prepare(stream: string): Promise<void> | undefined;
  /** Peers of `stream` on the other nodes; a plain array when that needs no round trip. */
  remoteMembers(stream: string): RemotePeerInfo[] | Promise<RemotePeerInfo[]>;
  joined(stream: string, peerId: string, upload: boolean): void;
  /** `peerId` left; `linkedRemote` are peers on other nodes it was linked to (they hear peer-left). */
  left(stream: string, peerId: string, linkedRemote: string[]): void;
  /** Relays a signal to a peer on another node; false when no node has that peer. */
  relaySignal(stream: string, fromPeer: string, toPeer: string, signal: PeerSignal): Promise<boolean>;
  /** A peer of `stream` sent new figures (the stream's cluster-wide stats are sums over nodes). */
  reported(stream: string): void;
}

export const noFederation: SwarmFederation = {
  prepare: () => undefined,
  remoteMembers: () => [],
  joined: () => {},
  left: () => {},
  relaySignal: () => Promise.resolve(false),
  reported: () => {},
};

/** The tracker's stream preparation with pulls first: a peer joining a pulled stream starts its pull. */
export function withPulls(federation: SwarmFederation, pulls: PulledStreams): SwarmFederation {
  // delegates method by method: a federation may be a class instance, whose methods a spread would lose
  return {
    prepare: (stream) =>
      pulls.wanted(stream) ? pulls.ensure(stream).then(() => undefined) : federation.prepare(stream),
    remoteMembers: (stream) => federation.remoteMembers(stream),
    joined: (stream, peerId, upload) => federation.joined(stream, peerId, upload),
    left: (stream, peerId, linkedRemote) => federation.left(stream, peerId, linkedRemote),
    relaySignal: (stream, fromPeer, toPeer, signal) => federation.relaySignal(stream, fromPeer, toPeer, signal),
    reported: (stream) => federation.reported(stream),
  };
}

/**
 * Up to `count` of local and remote candidates, uploaders first, random within each group, so a peer's
 * neighbours are spread over the nodes in proportion to where the swarm's peers are.
 */
export function mixNeighbours<L extends RemotePeerInfo>(
  local: readonly L[],
  remote: readonly RemotePeerInfo[],
  count: number,
): (L | RemotePeerInfo)[] {
  const all: (L | RemotePeerInfo)[] = [...local, ...remote];
  return [...shuffled(all.filter((p) => p.upload)), ...shuffled(all.filter((p) => !p.upload))].slice(0, count);
}
