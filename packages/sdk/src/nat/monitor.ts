/**
 * The viewer's NAT watch: probes at init, again periodically and on resetP2P, keeps the last result for
 * getNatStats() and reports changes. Platform-free (the UDP transport and the interface list are injected).
 *
 * A "change" is a different public address (mapped IP; the port is not compared, since every probe opens
 * fresh sockets and so gets fresh mappings), a different NAT type, or a different set of local interfaces.
 */
import type { IceServer } from '@xp2p/protocol';
import { probeNat, type NatProbeResult, type StunServerAddress } from './probe.js';
import type { Endpoint } from './stun.js';
import type { UdpTransport } from './transport.js';

export interface NatStats {
  /**
   * unsupported: no UDP on this platform (browsers), nothing is probed; idle: not probed yet (probe 'off');
   * probing: the first probe is running; ok: the last probe succeeded; failed: the last probe failed (the previous result, if any, is kept)
   */
  state: 'unsupported' | 'idle' | 'probing' | 'ok' | 'failed';
  natType: NatProbeResult['natType'];
  mapping: NatProbeResult['mapping'];
  filtering: NatProbeResult['filtering'];
  behindNat?: boolean;
  /** the public address the first answering STUN server saw */
  mapped?: Endpoint;
  local?: Endpoint;
  rfc5780: boolean;
  /** the STUN servers of the last probe, host:port as configured */
  servers: string[];
  /** local interface addresses ("name/address") at the last probe; empty when the platform cannot tell */
  interfaces: string[];
  /** Date.now() of the last successful probe */
  probedAt?: number;
  /** how many probes ran, successful or not */
  probes: number;
  /** why the last probe failed */
  error?: string;
}

export interface NatChangedDetail {
  reasons: ('mapped-address' | 'nat-type' | 'interfaces')[];
  previous: { mapped?: Endpoint; natType: NatStats['natType']; interfaces: string[] };
  current: NatStats;
}

export interface NatErrorDetail {
  code: number;
  message: string;
  servers: string[];
}

/** A probe other than STUN over UDP sockets (browsers: ICE gathering, see ice-probe.ts). */
export type NatProber = (servers: StunServerAddress[], signal: AbortSignal) => Promise<NatProbeResult>;

export interface NatMonitorOptions {
  /** UDP sockets for the STUN probe (Node); or `prober` where there are none */
  transport?: UdpTransport;
  prober?: NatProber;
  /**
   * Subscribes to the host's network-change signals (browsers: online/offline, navigator.connection
   * 'change'); each one re-probes. Returns the unsubscribe function.
   */
  watchNetwork?: (onChange: () => void) => () => void;
  /** The servers to ask, looked up at every probe (the signalling server's hello may change). */
  servers: () => Promise<StunServerAddress[]>;
  /** Local interface addresses; compared between probes. */
  interfaces?: () => string[];
  bindAddress?: string;
  intervalMs: number;
  rtoMs?: number;
  attempts?: number;
  onChanged: (detail: NatChangedDetail) => void;
  onError: (detail: NatErrorDetail) => void;
  /** the code reported in NatErrorDetail (the guide's -2202) */
  errorCode: number;
}

/** `stun:host:port`, `stuns:...`, `host:port`, `[v6]:port` or `host` (port 3478). IPv6 literals are skipped (the probe is IPv4). */
export function parseStunUrl(url: string): StunServerAddress | undefined {
  const m = /^(?:stuns?:)?(?:\/\/)?(\[[^\]]+\]|[^:/?\s[\]]+)(?::(\d{1,5}))?(?:[/?].*)?$/i.exec(url.trim());
  if (!m) return undefined;
  const host = m[1] ?? '';
  const port = m[2] ? Number(m[2]) : 3478;
  if (host.startsWith('[') || !host || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The STUN entries of an RTCIceServer list (TURN entries are not STUN Binding targets here). */
export function stunServersOf(iceServers: readonly IceServer[], fallbackHost?: string): StunServerAddress[] {
  const out: StunServerAddress[] = [];
  for (const s of iceServers) {
    for (const url of Array.isArray(s.urls) ? s.urls : [s.urls]) {
      if (typeof url !== 'string' || !/^stuns?:/i.test(url)) continue;
      const parsed = parseStunUrl(url);
      if (!parsed) continue;
      // a server listening on every interface advertises 0.0.0.0: ask it where we reached it instead
      if ((parsed.host === '0.0.0.0' || parsed.host === '[::]') && fallbackHost) parsed.host = fallbackHost;
      out.push(parsed);
    }
  }
  return out;
}

/**
 * A socket bound to every interface reports 0.0.0.0 as its local address, so the probe cannot see that a
 * mapped address equal to one of this host's own addresses (same port) means "no NAT": fix that up here.
 */
function unbound(r: NatProbeResult, interfaces: string[]): NatProbeResult {
  if (r.local.address !== '0.0.0.0' || r.mapped.port !== r.local.port) return r;
  if (!interfaces.some((i) => i.slice(i.indexOf('/') + 1) === r.mapped.address)) return r;
  return { ...r, behindNat: false, mapping: 'endpoint-independent', natType: 'open' };
}

/** why a probe runs: init, resetP2P, the timer, a broken session path, a network-change signal */
export type ProbeReason = 'init' | 'reset' | 'periodic' | 'path-lost' | 'network';

const key = (s: StunServerAddress) => `${s.host}:${s.port}`;
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class NatMonitor {
  private result: NatProbeResult | undefined;
  private last: NatStats;
  private running: Promise<NatProbeResult> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unwatch: (() => void) | undefined;
  private readonly abort = new AbortController();
  private stopped = false;
  private failedLast = false;

  constructor(private readonly options: NatMonitorOptions) {
    this.last = {
      state: 'idle',
      natType: 'unknown',
      mapping: 'unknown',
      filtering: 'unknown',
      rfc5780: false,
      servers: [],
      interfaces: this.interfaces(),
      probes: 0,
    };
  }

  static unsupported(): NatStats {
    return {
      state: 'unsupported',
      natType: 'unknown',
      mapping: 'unknown',
      filtering: 'unknown',
      rfc5780: false,
      servers: [],
      interfaces: [],
      probes: 0,
    };
  }

  stats(): NatStats {
    return { ...this.last, servers: [...this.last.servers], interfaces: [...this.last.interfaces] };
  }

  /**
   * Starts watching: re-probes on the host's network-change signals, and periodically (the timer does not
   * keep a Node process alive).
   */
  startTimer(): void {
    if (this.stopped) return;
    if (!this.unwatch && this.options.watchNetwork) {
      this.unwatch = this.options.watchNetwork(() => {
        if (!this.stopped) this.probe('network').catch(() => {});
      });
    }
    if (this.timer || !(this.options.intervalMs > 0)) return;
    this.timer = setInterval(() => {
      // a periodic probe that is still running is not doubled
      if (this.running) return;
      this.probe('periodic').catch(() => {});
    }, this.options.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Runs one probe after any running one; resolves its result or rejects (and reports natError, except for
   * periodic probes failing again after a failure).
   */
  probe(why: ProbeReason = 'reset'): Promise<NatProbeResult> {
    const run = this.queue.then(() => this.runOnce(why));
    this.queue = run.catch(() => {});
    return run;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    this.abort.abort();
  }

  private interfaces(): string[] {
    try {
      return [...(this.options.interfaces?.() ?? [])].sort();
    } catch {
      return [];
    }
  }

  private async runOnce(why: ProbeReason): Promise<NatProbeResult> {
    if (this.stopped) throw new Error('NAT monitor stopped');
    const o = this.options;
    const previous = {
      ...(this.result ? { mapped: this.result.mapped } : {}),
      natType: this.last.natType,
      interfaces: this.last.interfaces,
    };
    const interfaces = this.interfaces();
    if (this.last.state === 'idle') this.last = { ...this.last, state: 'probing' };
    let servers: StunServerAddress[] = [];
    const attempt = (async () => {
      servers = await o.servers();
      if (this.stopped) throw new Error('NAT monitor stopped');
      if (servers.length === 0) throw new Error('no STUN server to probe');
      if (o.prober) return o.prober(servers, this.abort.signal);
      if (!o.transport) throw new Error('no way to probe the NAT on this platform');
      return probeNat({
        transport: o.transport,
        servers,
        signal: this.abort.signal,
        ...(o.bindAddress ? { bindAddress: o.bindAddress } : {}),
        ...(o.rtoMs !== undefined ? { rtoMs: o.rtoMs } : {}),
        ...(o.attempts !== undefined ? { attempts: o.attempts } : {}),
      });
    })();
    this.running = attempt;
    let result: NatProbeResult;
    try {
      result = unbound(await attempt, interfaces);
    } catch (err) {
      this.running = undefined;
      const message = err instanceof Error ? err.message : String(err);
      if (this.stopped) throw err;
      const repeated = this.failedLast && why === 'periodic';
      this.failedLast = true;
      this.last = {
        ...this.last,
        state: 'failed',
        servers: servers.map(key),
        interfaces,
        probes: this.last.probes + 1,
        error: message,
      };
      if (!repeated) o.onError({ code: o.errorCode, message, servers: servers.map(key) });
      if (!sameList(previous.interfaces, interfaces) && this.result) {
        o.onChanged({ reasons: ['interfaces'], previous, current: this.stats() });
      }
      throw err;
    }
    this.running = undefined;
    if (this.stopped) return result;
    this.failedLast = false;
    const hadResult = !!this.result;
    this.result = result;
    this.last = {
      state: 'ok',
      natType: result.natType,
      mapping: result.mapping,
      filtering: result.filtering,
      behindNat: result.behindNat,
      mapped: result.mapped,
      local: result.local,
      rfc5780: result.rfc5780,
      servers: servers.map(key),
      interfaces,
      probedAt: Date.now(),
      probes: this.last.probes + 1,
    };
    if (hadResult) {
      const reasons: NatChangedDetail['reasons'] = [];
      if (previous.mapped?.address !== result.mapped.address) reasons.push('mapped-address');
      if (previous.natType !== result.natType) reasons.push('nat-type');
      if (!sameList(previous.interfaces, interfaces)) reasons.push('interfaces');
      if (reasons.length > 0) o.onChanged({ reasons, previous, current: this.stats() });
    } else if (!sameList(previous.interfaces, interfaces) && why !== 'init') {
      o.onChanged({ reasons: ['interfaces'], previous, current: this.stats() });
    }
    return result;
  }
}
