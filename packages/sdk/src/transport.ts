/**
 * What the 1v1 core needs of WebRTC and of the signalling server, as small interfaces (the parts of the W3C
 * RTCPeerConnection / RTCDataChannel it uses). The real sdk passes the platform's RTCPeerConnection
 * (browsers' own, node-datachannel's polyfill in Node) and the signalling WebSocket (signal/); the simulator
 * (sim/) passes in-memory ones. The core never knows which.
 */
import type { IceServer, ServerToViewer, ViewerToServer } from '@xp2p/protocol';

export interface DataChannelLike {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  addEventListener(type: 'open' | 'close', listener: () => void, options?: { once?: boolean }): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
}

/** One entry of getStats() (only the fields the session reads). */
export type StatsEntry = Record<string, unknown>;

export interface PeerConnectionLike {
  readonly connectionState: RTCPeerConnectionState;
  readonly localDescription: { readonly sdp: string } | null;
  addEventListener(type: 'connectionstatechange', listener: () => void): void;
  addEventListener(
    type: 'icecandidate',
    listener: (ev: { candidate: { candidate: string; sdpMid: string | null } | null }) => void,
  ): void;
  createDataChannel(label: string, init?: RTCDataChannelInit): DataChannelLike;
  createOffer(): Promise<RTCSessionDescriptionInit>;
  setLocalDescription(description: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  getStats(): Promise<{ forEach(callback: (entry: StatsEntry) => void): void }>;
  close(): void;
}

/** Makes a fresh peer connection for one connect attempt. */
export type PeerConnectionFactory = (config: { iceServers: IceServer[] }) => PeerConnectionLike;

/** The viewer's signalling connection, shared by every session of a module. */
export interface SignalChannel {
  /** Resolves with the server's ICE servers once connected (reconnects if the connection was lost). */
  connect(): Promise<IceServer[]>;
  /** false when the connection is not open (the message is dropped) */
  send(msg: ViewerToServer): boolean;
  /** Routes the server's messages for one session to `listener`; returns the unsubscribe function. */
  onSession(sessionId: string, listener: (msg: ServerToViewer) => void): () => void;
}

/** The module's signalling connection: shared by its sessions, closed by destroy. */
export interface ModuleSignal extends SignalChannel {
  /** the server node in use (its STUN service is probed) */
  readonly serverUrl: string;
  close(): void;
}
