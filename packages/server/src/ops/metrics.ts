/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process (tests) do
 * not share counters. Counters are bumped where the event happens; gauges of state that already lives
 * elsewhere (cameras online, swarm peers, stream byte totals) are read at scrape time, so they can never
 * drift from the truth.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ConnectionKind = 'device' | 'viewer' | 'peer';

/** What the scrape-time gauges read. */
export interface MetricsSources {
  camerasOnline: () => number;
  sessions: () => number;
  trackerPeers: () => number;
  /** summed 1vN figures of every known stream */
  streamBytes: () => { p2p: number; cdn: number; upload: number };
  clusterReady: () => number;
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly #connections: Gauge<'kind'>;
  readonly #connectionsTotal: Counter<'kind'>;
  readonly #sessionsTotal: Counter;
  readonly #refusals: Counter<'where' | 'code'>;
  readonly #errors: Counter<'where'>;
  readonly #originBytes: Counter;
  readonly #answerSeconds: Histogram;
  readonly #clusterMessages: Counter<'direction'>;
  readonly #clusterFetched: Counter;
  readonly #viewerTtff: Histogram<'path'>;
  readonly #viewerBytes: Counter<'path'>;
  readonly #startRelayBytes: Counter;
  readonly #startRelays: Counter<'end'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'xp2p_process_' });
    this.#connections = new Gauge({
      name: 'xp2p_connections',
      help: 'Open WebSocket connections by kind (device, viewer, peer)',
      labelNames: ['kind'],
      registers,
    });
    this.#connectionsTotal = new Counter({
      name: 'xp2p_connections_total',
      help: 'WebSocket connections accepted by kind',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'xp2p_cameras_online',
      help: 'Cameras logged in to this node',
      registers,
      collect() {
        this.set(sources.camerasOnline());
      },
    });
    new Gauge({
      name: 'xp2p_sessions',
      help: 'Open 1v1 signalling sessions on this node',
      registers,
      collect() {
        this.set(sources.sessions());
      },
    });
    this.#sessionsTotal = new Counter({ name: 'xp2p_sessions_total', help: '1v1 sessions opened', registers });
    new Gauge({
      name: 'xp2p_tracker_peers',
      help: '1vN swarm peers connected to this node',
      registers,
      collect() {
        this.set(sources.trackerPeers());
      },
    });
    new Gauge({
      name: 'xp2p_stream_reported_bytes',
      help: '1vN bytes the peers of this node reported, by path (p2p, cdn = from the origin, upload)',
      labelNames: ['path'],
      registers,
      collect() {
        const b = sources.streamBytes();
        this.set({ path: 'p2p' }, b.p2p);
        this.set({ path: 'cdn' }, b.cdn);
        this.set({ path: 'upload' }, b.upload);
      },
    });
    this.#originBytes = new Counter({
      name: 'xp2p_origin_bytes_total',
      help: 'Media bytes the 1vN origin sent (HTTP-FLV, init and chunk downloads)',
      registers,
    });
    this.#refusals = new Counter({
      name: 'xp2p_refusals_total',
      help: 'Requests and messages refused, by where (http, upgrade, signal) and status code',
      labelNames: ['where', 'code'],
      registers,
    });
    this.#errors = new Counter({
      name: 'xp2p_errors_total',
      help: 'Internal errors by where',
      labelNames: ['where'],
      registers,
    });
    this.#answerSeconds = new Histogram({
      name: 'xp2p_signal_offer_answer_seconds',
      help: 'Time from a viewer offer reaching the server to the camera answer passing back',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#viewerTtff = new Histogram({
      name: 'xp2p_viewer_ttff_seconds',
      help: '1v1 time to first frame as viewers report it: start of the stream (with the connect when it had to wait for one) to its first bytes, a keyframe from the camera GOP cache; by ICE path',
      labelNames: ['path'],
      buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.#viewerBytes = new Counter({
      name: 'xp2p_viewer_bytes_total',
      help: '1v1 stream bytes viewers reported receiving straight from cameras, by ICE path (host, srflx, prflx, relay)',
      labelNames: ['path'],
      registers,
    });
    this.#startRelayBytes = new Counter({
      name: 'xp2p_start_relay_bytes_total',
      help: 'Encrypted bytes of relay-first starts this node forwarded camera → viewer before P2P opened',
      registers,
    });
    this.#startRelays = new Counter({
      name: 'xp2p_start_relays_total',
      help: 'Relay-first starts by how they ended here (opened, cap, timeout)',
      labelNames: ['end'],
      registers,
    });
    new Gauge({
      name: 'xp2p_cluster_ready',
      help: '1 when the cluster store (Redis) is reachable or not used, else 0',
      registers,
      collect() {
        this.set(sources.clusterReady());
      },
    });
    this.#clusterFetched = new Counter({
      name: 'xp2p_cluster_fetched_bytes_total',
      help: '1vN bytes fetched once from the origin node of streams published on other nodes',
      registers,
    });
    this.#clusterMessages = new Counter({
      name: 'xp2p_cluster_messages_total',
      help: 'Signalling messages exchanged with other nodes, by direction',
      labelNames: ['direction'],
      registers,
    });
  }

  connectionOpened(kind: ConnectionKind): void {
    this.#connections.inc({ kind });
    this.#connectionsTotal.inc({ kind });
  }
  connectionClosed(kind: ConnectionKind): void {
    this.#connections.dec({ kind });
  }
  sessionOpened(): void {
    this.#sessionsTotal.inc();
  }
  refused(where: 'http' | 'upgrade' | 'signal', code: number): void {
    this.#refusals.inc({ where, code: String(code) });
  }
  error(where: string): void {
    this.#errors.inc({ where });
  }
  originSent(bytes: number): void {
    this.#originBytes.inc(bytes);
  }
  /** a viewer's report on one of its sessions (schema-checked: bounded numbers, a known path) */
  viewerReported(path: string, ttffMs: number | undefined, bytes: number | undefined): void {
    if (ttffMs !== undefined) this.#viewerTtff.observe({ path }, ttffMs / 1000);
    if (bytes) this.#viewerBytes.inc({ path }, bytes);
  }
  offerAnswered(seconds: number): void {
    this.#answerSeconds.observe(seconds);
  }
  startRelayForwarded(bytes: number): void {
    this.#startRelayBytes.inc(bytes);
  }
  /** a start relay opened, or was cut at its cap or time bound */
  startRelay(end: 'opened' | 'cap' | 'timeout'): void {
    this.#startRelays.inc({ end });
  }
  /** bytes of 1vN chunks and init parts this node fetched from other nodes (its mirrors) */
  clusterFetched(bytes: number): void {
    this.#clusterFetched.inc(bytes);
  }

  clusterMessage(direction: 'in' | 'out'): void {
    this.#clusterMessages.inc({ direction });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
