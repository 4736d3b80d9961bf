/**
 * A UDP transport for tests whose "NAT" can be changed at will: every Binding request sent to a server
 * is answered (on a microtask) from that server with XOR-MAPPED-ADDRESS = (publicAddress, a port per
 * socket); no RFC 5780. `silent` drops every request (an unreachable STUN server).
 */
import type { StunEndpoint as Endpoint } from '@xp2p/protocol';
import type { UdpSocket, UdpTransport } from '@xp2p/sdk';
import { encodeResponse } from './stun-test-server.js';

export function changeableNat(options: { publicAddress?: string; localAddress?: string } = {}) {
  const state = {
    publicAddress: options.publicAddress ?? '198.51.100.7',
    localAddress: options.localAddress ?? '10.0.0.2',
    silent: false,
    requests: 0,
  };
  let nextPort = 40000;
  const open = new Set<number>();
  const transport: UdpTransport = {
    async open() {
      const port = nextPort++;
      const mappedPort = port + 10000;
      open.add(port);
      const listeners = new Set<(d: Uint8Array, f: Endpoint) => void>();
      const socket: UdpSocket = {
        local: { address: state.localAddress, port },
        send(data, to) {
          if (!open.has(port) || state.silent || data.length < 20) return;
          state.requests++;
          const tid = data.slice(8, 20);
          const reply = encodeResponse(tid, { mapped: { address: state.publicAddress, port: mappedPort } });
          queueMicrotask(() => listeners.forEach((l) => l(reply, { ...to })));
        },
        onMessage(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        close() {
          open.delete(port);
        },
      };
      return socket;
    },
    async resolve(host) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
      if (host === 'localhost' || host.endsWith('.test')) return '192.0.2.10';
      throw new Error(`ENOTFOUND ${host}`);
    },
  };
  return { transport, state, openSockets: () => open.size };
}
