/**
 * The NAT probe's UDP transport on Node (node:dgram, node:dns). The only file of sdk/nat that imports
 * Node modules; export it from `@xp2p/sdk/node`.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { UdpSocket, UdpTransport } from './transport.js';

export const nodeUdpTransport: UdpTransport = {
  async open(options = {}) {
    const socket = createSocket({ type: options.family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, options.bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // errors (ICMP unreachable surfaced as ECONNREFUSED on some systems) only mean "no answer"
    socket.on('error', () => {});
    const { address, port } = socket.address();
    let closed = false;
    const udp: UdpSocket = {
      local: { address, port },
      send(data, to) {
        if (!closed) socket.send(data, to.port, to.address);
      },
      onMessage(listener) {
        const handler = (msg: Buffer, rinfo: { address: string; port: number }) =>
          listener(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
            address: rinfo.address,
            port: rinfo.port,
          });
        socket.on('message', handler);
        return () => socket.off('message', handler);
      },
      close() {
        if (closed) return;
        closed = true;
        socket.close();
      },
    };
    return udp;
  },
  async resolve(host, family = 4) {
    if (isIP(host)) return host;
    return (await lookup(host, { family })).address;
  },
};
