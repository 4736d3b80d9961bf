/**
 * In-memory peer connections and data channels over SimNetwork: the parts of RTCPeerConnection and
 * RTCDataChannel the sdk uses (src/transport.ts), for both ends. The offer/answer "SDP" only names
 * the peer connection; after the answer the two ends connect in `connectRoundTrips` round trips if the path
 * allows, then every channel opens on both sides. Closing either end reaches the other one latency later
 * (an SCTP abort), unless the path is gone; a path that is gone fails the connection after
 * `iceFailAfterMs`, as ICE consent checks would.
 */
import type { DataChannelLike, PeerConnectionLike, StatsEntry } from '../../transport.js';
import type { Lane, SimNetwork } from './sim-network.js';

type IceCandidate = { candidate: string; sdpMid: string | null } | null;
interface SimEvent {
  data?: unknown;
  candidate?: IceCandidate;
}
/** Stored untyped; each addEventListener overload says what its listener gets. */
type Listener = (ev: never) => void;

/** addEventListener / dispatch for the simulated objects. */
class Listeners {
  private readonly map = new Map<string, Set<{ fn: Listener; once: boolean }>>();

  add(type: string, fn: Listener, once = false): void {
    let set = this.map.get(type);
    if (!set) this.map.set(type, (set = new Set()));
    set.add({ fn, once });
  }

  dispatch(type: string, ev: SimEvent = {}): void {
    for (const entry of [...(this.map.get(type) ?? [])]) {
      if (entry.once) this.map.get(type)?.delete(entry);
      (entry.fn as (ev: SimEvent) => void)(ev);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

let nextId = 0;

export class SimDataChannel implements DataChannelLike {
  readyState: RTCDataChannelState = 'connecting';
  readonly bufferedAmount = 0;
  binaryType: BinaryType = 'arraybuffer';
  remote: SimDataChannel | undefined;
  private readonly listeners = new Listeners();
  /** this end's direction of the channel */
  lane: Lane | undefined;

  constructor(
    readonly label: string,
    readonly pc: SimPeerConnection,
  ) {}

  addEventListener(type: 'open' | 'close', listener: () => void, options?: { once?: boolean }): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: string, listener: Listener, options?: { once?: boolean }): void {
    this.listeners.add(type, listener, options?.once);
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 'open') throw new Error(`InvalidStateError: channel ${this.label} is ${this.readyState}`);
    const payload = typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer);
    const remote = this.remote;
    if (!remote || !this.lane) return;
    this.pc.network.send(this.lane, () => remote.receive(payload));
  }

  close(): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.closeHere();
    const remote = this.remote;
    if (remote && this.lane) this.pc.network.send(this.lane, () => remote.closeHere());
  }

  /** Opens this end (the pair is connected). */
  openHere(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.listeners.dispatch('open');
  }

  /** Closes this end only (the far end closed, or the peer connection went). */
  closeHere(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.pc.forget(this);
    // the close event comes on a later turn, as in browsers and node-datachannel
    this.pc.network.clock.later(() => {
      this.listeners.dispatch('close');
      this.listeners.clear();
    }, 0);
  }

  private receive(data: string | ArrayBuffer): void {
    if (this.readyState !== 'open') return;
    this.pc.bytesReceived += typeof data === 'string' ? data.length : data.byteLength;
    this.listeners.dispatch('message', { data });
  }
}

export class SimPeerConnection implements PeerConnectionLike {
  readonly id = `pc${nextId++}`;
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { readonly sdp: string } | null = null;
  bytesReceived = 0;
  /** camera side: a channel the viewer opened */
  ondatachannel: ((channel: SimDataChannel) => void) | undefined;
  private readonly listeners = new Listeners();
  private readonly channels = new Set<SimDataChannel>();
  private remote: SimPeerConnection | undefined;
  private lane: Lane | undefined;
  private stopIceWatch: (() => void) | undefined;

  constructor(
    readonly network: SimNetwork,
    private readonly registry: SimPeerRegistry,
    readonly side: 'viewer' | 'camera',
  ) {
    registry.add(this);
  }

  get openChannels(): number {
    return this.channels.size;
  }

  addEventListener(type: 'connectionstatechange', listener: () => void): void;
  addEventListener(type: 'icecandidate', listener: (ev: { candidate: IceCandidate }) => void): void;
  addEventListener(type: string, listener: Listener): void {
    this.listeners.add(type, listener);
  }

  createDataChannel(label: string): SimDataChannel {
    if (this.connectionState === 'closed') throw new Error('InvalidStateError: peer connection is closed');
    const channel = new SimDataChannel(label, this);
    this.channels.add(channel);
    if (this.connectionState === 'connected') this.announce(channel);
    return channel;
  }

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'offer', sdp: `sim:${this.id}` };
  }

  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.localDescription = { sdp: description.sdp ?? '' };
    // one host candidate, trickled, then the end of gathering
    this.network.clock.later(() => {
      if (this.connectionState === 'closed') return;
      const candidate = { candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host', sdpMid: '0' };
      this.listeners.dispatch('icecandidate', { candidate });
      this.listeners.dispatch('icecandidate', { candidate: null });
    }, 1);
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const remote = this.registry.byId(/^sim:(.*)$/.exec(description.sdp ?? '')?.[1] ?? '');
    if (!remote) throw new Error('sim: the answer names no peer connection');
    this.pairWith(remote);
  }

  async addIceCandidate(): Promise<void> {}

  async getStats(): Promise<{ forEach(callback: (entry: StatsEntry) => void): void }> {
    const entries: StatsEntry[] = [
      { id: 'T1', type: 'transport', bytesReceived: this.bytesReceived, selectedCandidatePairId: 'CP1' },
      { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', state: 'succeeded' },
      { id: 'L1', type: 'local-candidate', candidateType: 'host' },
    ];
    return { forEach: (callback) => entries.forEach(callback) };
  }

  close(): void {
    if (this.connectionState === 'closed') return;
    const remote = this.remote;
    const lane = this.lane;
    this.shutDown();
    if (remote && lane) this.network.send(lane, () => remote.remoteClosed());
  }

  /** Camera side: pairs with the viewer's offer (its "SDP" names it); the viewer pairs on the answer. */
  acceptOffer(offerSdp: string): void {
    const remote = this.registry.byId(/^sim:(.*)$/.exec(offerSdp)?.[1] ?? '');
    if (remote) this.remote = remote;
  }

  /** Channel bookkeeping: a closed channel is forgotten. */
  forget(channel: SimDataChannel): void {
    this.channels.delete(channel);
  }

  private pairWith(remote: SimPeerConnection): void {
    this.remote = remote;
    remote.remote = this;
    const lane = this.network.lane();
    this.lane = lane;
    remote.lane = this.network.lane();
    this.setState('connecting');
    remote.setState('connecting');
    const setupMs = 2 * this.network.options.latencyMs * this.network.options.connectRoundTrips;
    // the handshake's last flight rides on the path: a path that is down holds it, a broken one loses it
    const lastFlight = () =>
      this.network.send(lane, () => {
        this.connected();
        remote.connected();
      });
    this.network.clock.later(lastFlight, Math.max(0, setupMs - this.network.options.latencyMs));
    const watch = (generation: number) => {
      if (generation !== lane.generation) return;
      this.failed();
      remote.failed();
    };
    this.stopIceWatch = this.network.onIceFailure(watch);
    remote.stopIceWatch = this.network.onIceFailure(watch);
  }

  private connected(): void {
    if (this.connectionState !== 'connecting') return;
    this.setState('connected');
    if (this.side === 'viewer') for (const channel of this.channels) this.announce(channel);
  }

  /** Viewer side: the camera learns of the channel, and both ends open. */
  private announce(channel: SimDataChannel): void {
    const remote = this.remote;
    const lane = this.lane;
    if (!remote || !lane) return;
    channel.lane = lane;
    this.network.send(lane, () => {
      if (remote.connectionState !== 'connected' || channel.readyState !== 'connecting') return;
      const far = new SimDataChannel(channel.label, remote);
      far.lane = remote.lane;
      far.remote = channel;
      channel.remote = far;
      remote.channels.add(far);
      far.openHere();
      remote.ondatachannel?.(far);
      // the open reaches the viewer one latency later
      this.network.send(remote.lane!, () => channel.openHere());
    });
  }

  private remoteClosed(): void {
    if (this.connectionState === 'closed' || this.connectionState === 'failed') return;
    this.shutDown('closed', true);
  }

  private failed(): void {
    if (this.connectionState === 'closed' || this.connectionState === 'failed') return;
    this.shutDown('failed', true);
  }

  /** close() itself changes the state without an event; a far-end close or an ICE failure fires one. */
  private shutDown(state: 'closed' | 'failed' = 'closed', fire = false): void {
    this.stopIceWatch?.();
    for (const channel of [...this.channels]) channel.closeHere();
    this.registry.remove(this);
    if (fire) this.setState(state);
    else this.connectionState = state;
  }

  private setState(state: RTCPeerConnectionState): void {
    if (this.connectionState === state) return;
    this.connectionState = state;
    this.network.clock.later(() => this.listeners.dispatch('connectionstatechange'), 0);
  }
}

/** Every simulated peer connection not closed yet, by id (the "SDP" names them). */
export class SimPeerRegistry {
  private readonly pcs = new Map<string, SimPeerConnection>();

  add(pc: SimPeerConnection): void {
    this.pcs.set(pc.id, pc);
  }

  remove(pc: SimPeerConnection): void {
    this.pcs.delete(pc.id);
  }

  byId(id: string): SimPeerConnection | undefined {
    return this.pcs.get(id);
  }

  /** The viewer's peer connections and channels still open (leak checks). */
  openOnViewer(): { peerConnections: number; channels: number } {
    let peerConnections = 0;
    let channels = 0;
    for (const pc of this.pcs.values()) {
      if (pc.side !== 'viewer') continue;
      peerConnections++;
      channels += pc.openChannels;
    }
    return { peerConnections, channels };
  }
}
