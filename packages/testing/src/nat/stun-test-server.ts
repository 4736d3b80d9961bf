/**
 * A STUN response encoder and an in-memory network with an RFC 5780 server and a NAT of configurable
 * mapping and filtering behaviour, behind the sdk's UdpTransport interface.
 */
import {
  crc32,
  decodeAddress,
  MAGIC_COOKIE,
  StunAttr as StunAttribute,
  type StunEndpoint as Endpoint,
} from '@xp2p/protocol';
import type { NatBehaviour, UdpSocket, UdpTransport } from '@xp2p/sdk';

const addr = (e: Endpoint, xor?: Uint8Array) => {
  const ip = Uint8Array.from(e.address.split('.').map(Number));
  const v = new Uint8Array(8);
  const dv = new DataView(v.buffer);
  v[1] = 1;
  dv.setUint16(2, xor ? e.port ^ (MAGIC_COOKIE >>> 16) : e.port);
  const mask = [0x21, 0x12, 0xa4, 0x42];
  ip.forEach((b, i) => (v[4 + i] = xor ? b ^ mask[i]! : b));
  return v;
};

/** A Binding success (or, with `error`, error) response with FINGERPRINT. IPv4 only. */
export function encodeResponse(
  tid: Uint8Array,
  o: { mapped?: Endpoint; other?: Endpoint; origin?: Endpoint; error?: number },
): Uint8Array {
  const attrs: [number, Uint8Array][] = [];
  if (o.mapped) attrs.push([StunAttribute.xorMappedAddress, addr(o.mapped, tid)]);
  if (o.other) attrs.push([StunAttribute.otherAddress, addr(o.other)]);
  if (o.origin) attrs.push([StunAttribute.responseOrigin, addr(o.origin)]);
  if (o.error)
    attrs.push([
      StunAttribute.errorCode,
      Uint8Array.of(0, 0, Math.floor(o.error / 100), o.error % 100, 0x6e, 0x6f, 0, 0),
    ]);
  const body = attrs.reduce((n, [, v]) => n + 4 + v.length, 0);
  const out = new Uint8Array(20 + body + 8);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, o.error ? 0x0111 : 0x0101);
  dv.setUint16(2, body + 8);
  dv.setUint32(4, MAGIC_COOKIE);
  out.set(tid, 8);
  let p = 20;
  for (const [t, v] of attrs) {
    dv.setUint16(p, t);
    // ERROR-CODE reason "no" is 2 bytes: declared length 6, padded to 8
    dv.setUint16(p + 2, t === StunAttribute.errorCode ? 6 : v.length);
    out.set(v, p + 4);
    p += 4 + v.length;
  }
  dv.setUint16(p, StunAttribute.fingerprint);
  dv.setUint16(p + 2, 4);
  dv.setUint32(p + 4, (crc32(out.subarray(0, p)) ^ 0x5354554e) >>> 0);
  return out;
}

export interface SimulatedNat {
  mapping: NatBehaviour | 'none';
  filtering: NatBehaviour | 'none';
}

/**
 * A host at 10.0.0.2 behind a NAT with public IP 198.51.100.1, and an RFC 5780 server on `serverIps` ×
 * ports 3478/3479 (one IP: only port changes). Datagrams are delivered on a microtask.
 */
export function simulatedNetwork(nat: SimulatedNat, serverIps: string[] = ['203.0.113.1', '203.0.113.2']) {
  const PUBLIC = '198.51.100.1';
  const LOCAL = '10.0.0.2';
  const PORTS = [3478, 3479];
  let nextPublicPort = 50000;
  let nextLocalPort = 40000;
  const mappings = new Map<string, number>(); // key → public port
  const permits = new Set<string>(); // `${publicPort}|${remoteIp}|${remotePort}`
  const sockets = new Map<number, (data: Uint8Array, from: Endpoint) => void>(); // local port → deliver
  let requests = 0;

  const mapOut = (localPort: number, to: Endpoint): Endpoint => {
    if (nat.mapping === 'none') return { address: LOCAL, port: localPort };
    const key =
      nat.mapping === 'endpoint-independent'
        ? `${localPort}`
        : nat.mapping === 'address-dependent'
          ? `${localPort}|${to.address}`
          : `${localPort}|${to.address}|${to.port}`;
    let port = mappings.get(key);
    if (port === undefined) mappings.set(key, (port = nextPublicPort++));
    permits.add(`${port}|${to.address}|${to.port}`);
    return { address: PUBLIC, port };
  };
  const inbound = (to: Endpoint, from: Endpoint): number | undefined => {
    if (nat.mapping === 'none') return to.port;
    const localKey = [...mappings].find(([, p]) => p === to.port)?.[0];
    if (localKey === undefined) return undefined;
    const ok =
      nat.filtering === 'endpoint-independent' || nat.filtering === 'none'
        ? true
        : nat.filtering === 'address-dependent'
          ? [...permits].some((p) => p.startsWith(`${to.port}|${from.address}|`))
          : permits.has(`${to.port}|${from.address}|${from.port}`);
    return ok ? Number(localKey.split('|')[0]) : undefined;
  };

  const serve = (datagram: Uint8Array, src: Endpoint, dst: Endpoint) => {
    const ipIndex = serverIps.indexOf(dst.address);
    const portIndex = PORTS.indexOf(dst.port);
    if (ipIndex < 0 || portIndex < 0 || datagram.length < 20) return;
    requests++;
    const tid = datagram.slice(8, 20);
    let flags = 0;
    if (datagram.length >= 36 && ((datagram[20]! << 8) | datagram[21]!) === StunAttribute.changeRequest) {
      flags = datagram[27]!;
    }
    const changeIp = (flags & 4) !== 0;
    if (changeIp && serverIps.length < 2)
      return reply({ address: dst.address, port: dst.port }, src, encodeResponse(tid, { error: 420 }));
    const from = {
      address: serverIps[changeIp ? 1 - ipIndex : ipIndex]!,
      port: PORTS[flags & 2 ? 1 - portIndex : portIndex]!,
    };
    const other = {
      address: serverIps.length > 1 ? serverIps[1 - ipIndex]! : dst.address,
      port: PORTS[1 - portIndex]!,
    };
    reply(from, src, encodeResponse(tid, { mapped: src, other, origin: from }));
  };
  const reply = (from: Endpoint, to: Endpoint, data: Uint8Array) => {
    const localPort = inbound(to, from);
    if (localPort === undefined) return;
    queueMicrotask(() => sockets.get(localPort)?.(data, from));
  };

  const transport: UdpTransport = {
    async open() {
      const port = nextLocalPort++;
      const listeners = new Set<(d: Uint8Array, f: Endpoint) => void>();
      sockets.set(port, (d, f) => listeners.forEach((l) => l(d, f)));
      const socket: UdpSocket = {
        local: { address: LOCAL, port },
        send(data, to) {
          const src = mapOut(port, to);
          queueMicrotask(() => serve(data, src, to));
        },
        onMessage(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        close() {
          sockets.delete(port);
        },
      };
      return socket;
    },
    async resolve(host) {
      if (host === 'stun.example.test') return serverIps[0]!;
      if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
      throw new Error(`ENOTFOUND ${host}`);
    },
  };
  return { transport, openSockets: () => sockets.size, requests: () => requests, decodeAddress };
}
