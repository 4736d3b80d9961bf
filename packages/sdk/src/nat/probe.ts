/**
 * NAT behaviour discovery (RFC 5780 §4.3 mapping, §4.4 filtering) over an injected UDP transport.
 *
 * With an RFC 5780 server (its Binding responses carry OTHER-ADDRESS):
 *   mapping:   test I to the primary address; II to (other IP, primary port); III to (other IP, other port).
 *              X(I) = local → no NAT; X(II) = X(I) → endpoint-independent; X(III) = X(II) →
 *              address-dependent; else address-and-port-dependent.
 *   filtering: II asks for an answer from the other IP and port (CHANGE-REQUEST ip+port); III only from the
 *              other port. II answered → endpoint-independent; III answered → address-dependent; else
 *              address-and-port-dependent.
 *   A server with one IP but two ports (OTHER-ADDRESS differs only by port) still tells the port
 *   dimension apart; the address dimension is then reported from what could be measured.
 * Without one: the mapped addresses seen by two or more servers (any STUN server, DNS names allowed) tell
 * whether the mapping depends on the destination; filtering stays 'unknown'.
 */
import {
  decodeBindingResponse,
  encodeBindingRequest,
  newTransactionId,
  sameTransactionId,
  type Endpoint,
} from './stun.js';
import type { UdpSocket, UdpTransport } from './transport.js';

export type NatBehaviour = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

export interface NatProbeResult {
  /** the public address seen by the first server that answered */
  mapped: Endpoint;
  local: Endpoint;
  /**
   * false when the mapped address is the local one (no NAT on the path); undefined when the probe cannot
   * tell (a browser that hides its own addresses behind mDNS names, see ice-probe.ts)
   */
  behindNat?: boolean;
  mapping: NatBehaviour | 'unknown';
  filtering: NatBehaviour | 'unknown';
  /** the usual name: full cone, restricted cone, port-restricted cone, symmetric, open, unknown */
  natType: 'open' | 'full-cone' | 'restricted-cone' | 'port-restricted-cone' | 'symmetric' | 'unknown';
  /** whether a server supported RFC 5780 (OTHER-ADDRESS and CHANGE-REQUEST) */
  rfc5780: boolean;
  /** every mapped address observed, with the server it came from */
  observations: { server: Endpoint; mapped: Endpoint; change?: 'ip+port' | 'port' }[];
}

export class NatProbeError extends Error {
  override name = 'NatProbeError';
}

export interface StunServerAddress {
  /** IP literal or DNS name */
  host: string;
  port: number;
}

export interface BindingOptions {
  /** RFC 8489 §6.2.1 Rc: how many times a request is sent; default 4 */
  attempts?: number;
  /** first retransmission timeout, doubled each time (RFC 8489 RTO); default 250 ms */
  rtoMs?: number;
  signal?: AbortSignal;
}

/**
 * Sends one Binding request (retransmitted with doubling timeouts) and resolves its response, or undefined
 * when none arrives (a filtering test's expected outcome). Rejects only on abort.
 */
export async function stunBinding(
  socket: UdpSocket,
  server: Endpoint,
  change: { ip?: boolean; port?: boolean } = {},
  options: BindingOptions = {},
): Promise<{ response: ReturnType<typeof decodeBindingResponse>; from: Endpoint } | undefined> {
  const attempts = options.attempts ?? 4;
  let rto = options.rtoMs ?? 250;
  const transactionId = newTransactionId();
  const request = encodeBindingRequest(transactionId, change);
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sent = 0;
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      off();
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(new DOMException('aborted', 'AbortError')));
    const off = socket.onMessage((data, from) => {
      const response = decodeBindingResponse(data);
      if (!response || !sameTransactionId(response.transactionId, transactionId)) return;
      finish(() => resolve({ response, from }));
    });
    const send = () => {
      if (sent === attempts) return finish(() => resolve(undefined));
      sent++;
      socket.send(request, server);
      timer = setTimeout(send, rto);
      rto *= 2;
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    send();
  });
}

const same = (a: Endpoint | undefined, b: Endpoint | undefined) =>
  !!a && !!b && a.address === b.address && a.port === b.port;

export function natTypeName(
  behindNat: boolean,
  mapping: NatProbeResult['mapping'],
  filtering: NatProbeResult['filtering'],
): NatProbeResult['natType'] {
  if (!behindNat) return 'open';
  if (mapping === 'unknown') return 'unknown';
  if (mapping !== 'endpoint-independent') return 'symmetric';
  switch (filtering) {
    case 'endpoint-independent':
      return 'full-cone';
    case 'address-dependent':
      return 'restricted-cone';
    case 'address-and-port-dependent':
      return 'port-restricted-cone';
    default:
      return 'unknown';
  }
}

export interface ProbeOptions extends BindingOptions {
  transport: UdpTransport;
  /** STUN servers to ask; the first that supports RFC 5780 is used for the full tests */
  servers: StunServerAddress[];
  bindAddress?: string;
}

/** Runs the probe; rejects with NatProbeError when no server answers at all. */
export async function probeNat(options: ProbeOptions): Promise<NatProbeResult> {
  const { transport } = options;
  const resolved: Endpoint[] = [];
  for (const s of options.servers) {
    try {
      resolved.push({ address: await transport.resolve(s.host, 4), port: s.port });
    } catch {
      /* a name that does not resolve is a server that does not answer */
    }
  }
  if (resolved.length === 0) throw new NatProbeError('no STUN server address could be resolved');
  const open = () =>
    transport.open({ family: 4, ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}) });
  const observations: NatProbeResult['observations'] = [];
  const binder =
    (socket: UdpSocket, record = true) =>
    async (server: Endpoint, change?: { ip?: boolean; port?: boolean }) => {
      const r = await stunBinding(socket, server, change, options);
      const response = r?.response;
      if (!response || response.error || !response.mapped) return undefined;
      const entry: NatProbeResult['observations'][number] = { server, mapped: response.mapped };
      if (change?.ip) entry.change = 'ip+port';
      else if (change?.port) entry.change = 'port';
      if (record) observations.push(entry);
      return { ...response, mapped: response.mapped };
    };

  // Filtering tests first, on their own socket (RFC 5780 §4.4). Mapping tests send to the server's other
  // address and port, which opens the NAT towards them: some NATs (and the lab's address-restricted
  // router) remember contacted addresses per host, not per mapping, so filtering must be measured before.
  let filtering: NatProbeResult['filtering'] = 'unknown';
  let filteringServer: { server: Endpoint; other: Endpoint } | undefined;
  // servers that answered here; the mapping tests do not wait for silent ones again
  const answered: Endpoint[] = [];
  {
    const fresh = await open();
    try {
      const bind = binder(fresh, false);
      for (const server of resolved) {
        const r = await bind(server);
        if (r) answered.push(server);
        if (filteringServer || !r?.otherAddress || same(r.otherAddress, server)) continue;
        filteringServer = { server, other: r.otherAddress };
        const otherIp = r.otherAddress.address !== server.address;
        if (otherIp && (await bind(server, { ip: true, port: true }))) filtering = 'endpoint-independent';
        else if (await bind(server, { port: true })) filtering = otherIp ? 'address-dependent' : 'unknown';
        else filtering = 'address-and-port-dependent';
      }
    } finally {
      fresh.close();
    }
  }

  // Mapping tests on one socket (RFC 5780 §4.3)
  const socket = await open();
  let local: Endpoint;
  let primary: { server: Endpoint; mapped: Endpoint } | undefined;
  let full: { server: Endpoint; mapped: Endpoint; other: Endpoint } | undefined;
  let mapping: NatProbeResult['mapping'] = 'unknown';
  const first: { server: Endpoint; mapped: Endpoint }[] = [];
  try {
    local = socket.local;
    const bind = binder(socket);
    for (const server of answered) {
      const r = await bind(server);
      if (!r) continue;
      first.push({ server, mapped: r.mapped });
      if (!full && r.otherAddress && !same(r.otherAddress, server))
        full = { server, mapped: r.mapped, other: r.otherAddress };
    }
    primary = full ?? first[0];
    if (!primary) {
      throw new NatProbeError(`no STUN server answered (${resolved.map((s) => `${s.address}:${s.port}`).join(', ')})`);
    }
    if (full) {
      const { other } = full;
      if (other.address !== full.server.address) {
        const x2 = (await bind({ address: other.address, port: full.server.port }))?.mapped;
        if (same(x2, full.mapped)) mapping = 'endpoint-independent';
        else if (x2) {
          const x3 = (await bind(other))?.mapped;
          if (x3) mapping = same(x3, x2) ? 'address-dependent' : 'address-and-port-dependent';
        }
      } else {
        // one IP, two ports: only the port dimension can be measured
        const x2 = (await bind(other))?.mapped;
        if (x2) mapping = same(x2, full.mapped) ? 'endpoint-independent' : 'address-and-port-dependent';
      }
    } else if (first.length >= 2) {
      // plain STUN servers: does the mapping change with the destination?
      const distinct = new Set(first.map((f) => `${f.mapped.address}:${f.mapped.port}`));
      if (distinct.size === 1) mapping = 'endpoint-independent';
      else {
        // differing mappings for two ports of one IP prove port dependence; across IPs only address dependence
        const byIp = new Map<string, Set<string>>();
        for (const f of first) {
          const set = byIp.get(f.server.address) ?? new Set<string>();
          set.add(`${f.mapped.address}:${f.mapped.port}`);
          byIp.set(f.server.address, set);
        }
        mapping = [...byIp.values()].some((v) => v.size > 1) ? 'address-and-port-dependent' : 'address-dependent';
      }
    }
  } finally {
    socket.close();
  }
  const behindNat = !(primary.mapped.port === local.port && primary.mapped.address === local.address);
  if (!behindNat) mapping = 'endpoint-independent';

  return {
    mapped: primary.mapped,
    local,
    behindNat,
    mapping,
    filtering,
    natType: natTypeName(behindNat, mapping, filtering),
    rfc5780: !!full || !!filteringServer,
    observations,
  };
}
