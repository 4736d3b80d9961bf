/**
 * In-memory mesh with per-peer access links: each peer has an uplink and a downlink (bytes/ms queues,
 * served in order), an access latency (a path costs both ends' latencies), and a loss rate (on a reliable
 * channel a lost message arrives one retransmission timeout later). Small control messages skip the
 * bandwidth queues (they are a few dozen bytes and interleave with bulk data on a real network); chunk
 * pieces queue. Binary payloads can be "scaled": a piece of n real bytes occupies n × payloadScale bytes of
 * bandwidth, so the simulator can hash and compare real bytes while modelling full-size chunks cheaply.
 * Peers marked `nat` cannot reach each other (two symmetric NATs); `corrupt` peers flip a byte in every
 * piece they send (an attacker or broken peer); `withhold` peers spend their uplink on the pieces they are
 * asked for but none arrives (an attacker that advertises what it will not give).
 */
import type { MeshLink, MeshTransport } from '../engine/types.js';
import type { VirtualClock } from './virtual-clock.js';

export interface SimPeerConfig {
  id: string;
  /** bytes per ms */
  upRate: number;
  downRate: number;
  latencyMs: number;
  nat: boolean;
  corrupt: boolean;
  withhold?: boolean;
}

export interface SimNetworkOptions {
  lossRate: number;
  retransmitMs: number;
  payloadScale: number;
  /** messages up to this many bytes skip the bandwidth queues */
  smallMessageBytes: number;
  /** extra setup time of a link (ICE + DTLS + SCTP round trips), on top of 4 path latencies */
  connectExtraMs: number;
  /** how long a connect to an unreachable peer takes to fail (the engine's watchdog in real life) */
  connectFailMs: number;
}

/**
 * A peer's downlink as the times it is busy receiving. Each transfer takes the first free slot at or after
 * the time its bytes can arrive, so data that arrives later (a slow sender's queued upload) does not hold
 * up data that arrives earlier: several neighbours send to one peer at once, as on a real access link.
 */
export class Downlink {
  /** [start, end) busy intervals, sorted, not overlapping */
  private readonly busy: Array<[number, number]> = [];

  constructor(readonly rate: number) {}

  /** Receive `bytes` that can start arriving at `from`: returns when the last byte is in. */
  reserve(now: number, from: number, bytes: number): number {
    const busy = this.busy;
    let done = 0;
    while (done < busy.length && busy[done]![1] <= now) done++;
    if (done > 0) busy.splice(0, done);
    const duration = bytes / this.rate;
    let start = from;
    let i = 0;
    for (; i < busy.length; i++) {
      const [s, e] = busy[i]!;
      if (e <= start) continue;
      if (s >= start + duration) break;
      start = e;
    }
    const end = start + duration;
    const prev = busy[i - 1];
    const next = busy[i];
    if (prev && prev[1] === start) {
      prev[1] = end;
      if (next && next[0] === end) {
        prev[1] = next[1];
        busy.splice(i, 1);
      }
    } else if (next && next[0] === end) next[0] = start;
    else busy.splice(i, 0, [start, end]);
    return end;
  }
}

interface SimNode extends SimPeerConfig {
  alive: boolean;
  upFreeAt: number;
  downlink: Downlink;
  transport: SimTransport;
  links: Set<SimLink>;
  bulkBytesSent: number;
  controlBytesSent: number;
}

class SimTransport implements MeshTransport {
  onIncoming: ((link: MeshLink) => void) | undefined;
  constructor(
    private readonly net: SimNetwork,
    private readonly self: string,
  ) {}
  connect(peerId: string): Promise<MeshLink> {
    return this.net.connect(this.self, peerId);
  }
}

class SimLink implements MeshLink {
  onMessage: ((data: string | Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  onBufferedLow: (() => void) | undefined;
  other!: SimLink;
  open = true;
  private lastDeliverAt = 0;
  private lastDepartAt = 0;
  private drainScheduled = false;
  /** (depart time, bytes) of bulk messages not yet on the wire */
  private readonly inFlight: Array<[number, number]> = [];

  constructor(
    private readonly net: SimNetwork,
    readonly local: SimNode,
    readonly remote: SimNode,
  ) {}

  get peerId(): string {
    return this.remote.id;
  }

  get bufferedAmount(): number {
    const now = this.net.clock.now();
    while (this.inFlight.length > 0 && this.inFlight[0]![0] <= now) this.inFlight.shift();
    let sum = 0;
    for (const [, b] of this.inFlight) sum += b;
    return sum;
  }

  send(data: string | Uint8Array): void {
    if (!this.open) return;
    const clock = this.net.clock;
    const now = clock.now();
    const opts = this.net.options;
    const text = typeof data === 'string';
    let payload = data;
    if (!text && this.local.corrupt && data.byteLength > 9) {
      const copy = data.slice();
      copy[9] = copy[9]! ^ 0xff;
      payload = copy;
    }
    const size = text ? data.length : data.byteLength * opts.payloadScale;
    let departAt: number;
    let doneAt: number;
    const latency =
      this.local.latencyMs + this.remote.latencyMs + (this.net.random() < opts.lossRate ? opts.retransmitMs : 0);
    if (size <= opts.smallMessageBytes) {
      this.local.controlBytesSent += size;
      doneAt = now + latency;
    } else {
      this.local.bulkBytesSent += size;
      departAt = Math.max(now, this.local.upFreeAt) + size / this.local.upRate;
      this.local.upFreeAt = departAt;
      // the last byte leaves at departAt; its piece can start arriving size/downRate before it is in
      const arrive = departAt + latency;
      doneAt = this.remote.downlink.reserve(now, Math.max(now, arrive - size / this.remote.downRate), size);
      doneAt = Math.max(doneAt, arrive);
      this.inFlight.push([departAt, size]);
      this.lastDepartAt = departAt;
      this.scheduleDrain(departAt);
    }
    const deliverAt = Math.max(doneAt, this.lastDeliverAt);
    this.lastDeliverAt = deliverAt;
    const other = this.other;
    if (!text && this.local.withhold) return;
    clock.setTimeout(() => {
      if (other.open && this.remote.alive) other.onMessage?.(payload);
    }, deliverAt - now);
  }

  private scheduleDrain(at: number): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    const clock = this.net.clock;
    clock.setTimeout(() => {
      this.drainScheduled = false;
      if (!this.open) return;
      if (this.lastDepartAt > clock.now()) this.scheduleDrain(this.lastDepartAt);
      else this.onBufferedLow?.();
    }, at - clock.now());
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.local.links.delete(this);
    const clock = this.net.clock;
    clock.setTimeout(() => this.onClose?.(), 0);
    const other = this.other;
    if (other.open) {
      other.open = false;
      other.local.links.delete(other);
      clock.setTimeout(() => other.onClose?.(), this.local.latencyMs + this.remote.latencyMs);
    }
  }
}

export class SimNetwork {
  private readonly nodes = new Map<string, SimNode>();

  constructor(
    readonly clock: VirtualClock,
    readonly random: () => number,
    readonly options: SimNetworkOptions,
  ) {}

  addPeer(cfg: SimPeerConfig): MeshTransport {
    const transport = new SimTransport(this, cfg.id);
    this.nodes.set(cfg.id, {
      ...cfg,
      alive: true,
      upFreeAt: 0,
      downlink: new Downlink(cfg.downRate),
      transport,
      links: new Set(),
      bulkBytesSent: 0,
      controlBytesSent: 0,
    });
    return transport;
  }

  removePeer(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    node.alive = false;
    for (const link of [...node.links]) link.close();
  }

  node(id: string): Readonly<SimNode> | undefined {
    return this.nodes.get(id);
  }

  /** A control message from `id` on every link it has open (an attacker's lie to all its neighbours). */
  sendToAll(id: string, text: string): void {
    for (const link of this.nodes.get(id)?.links ?? []) link.send(text);
  }

  /**
   * How long a fetch of `bytes` from the origin takes on this peer's link when the link is idle: request
   * to last byte, as downloadDoneAt counts it. Reserves nothing (for baselines computed beside the run).
   */
  idleOriginFetchMs(id: string, bytes: number, originLatencyMs: number): number | undefined {
    const node = this.nodes.get(id);
    return node && 2 * (node.latencyMs + originLatencyMs) + bytes / node.downlink.rate;
  }

  /**
   * Bytes that arrive from the origin over this peer's downlink: when the last one is in. The first can
   * come a round trip from now (a request sent now), or `firstByteInMs` from now (one already at the origin).
   */
  downloadDoneAt(id: string, bytes: number, originLatencyMs: number, firstByteInMs?: number): number {
    const node = this.nodes.get(id);
    const now = this.clock.now();
    if (!node) return now;
    return node.downlink.reserve(now, now + (firstByteInMs ?? 2 * (node.latencyMs + originLatencyMs)), bytes);
  }

  /** One way between the origin and this peer (its access latency plus the origin's). */
  originOneWayMs(id: string, originLatencyMs: number): number {
    return (this.nodes.get(id)?.latencyMs ?? 0) + originLatencyMs;
  }

  connect(fromId: string, toId: string): Promise<MeshLink> {
    const from = this.nodes.get(fromId);
    const to = this.nodes.get(toId);
    return new Promise<MeshLink>((resolve, reject) => {
      const fail = () =>
        this.clock.setTimeout(() => {
          this.clock.markDirty();
          reject(new Error(`cannot reach ${toId}`));
        }, this.options.connectFailMs);
      if (!from || !to || !to.alive || (from.nat && to.nat)) return fail();
      const rtt = 2 * (from.latencyMs + to.latencyMs);
      this.clock.setTimeout(
        () => {
          if (!from.alive || !to.alive) return fail();
          const a = new SimLink(this, from, to);
          const b = new SimLink(this, to, from);
          a.other = b;
          b.other = a;
          from.links.add(a);
          to.links.add(b);
          to.transport.onIncoming?.(b);
          this.clock.markDirty();
          resolve(a);
        },
        2 * rtt + this.options.connectExtraMs,
      );
    });
  }
}
