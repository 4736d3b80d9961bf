/**
 * The UDP socket serving STUN Binding requests next to the signalling server. UDP sources can be spoofed,
 * so answers are rate-limited per source address: the service must not reflect a flood at a victim.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { KeyedTokenBuckets } from '../signal/keyed-buckets.js';
import { answerBindingRequest } from './binding.js';

export interface StunRateLimit {
  burstPerAddress: number;
  perSecondPerAddress: number;
}

export interface StunServer {
  port: number;
  close(): Promise<void>;
}

export async function startStunServer(
  host: string,
  port: number,
  log: (line: string) => void,
  limit: StunRateLimit = { burstPerAddress: 50, perSecondPerAddress: 20 },
): Promise<StunServer> {
  const perSource = new KeyedTokenBuckets(limit.burstPerAddress, limit.perSecondPerAddress);
  const socket: Socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (err) => log(`stun: socket error: ${err.message}`));
  socket.on('message', (datagram, remote) => {
    const response = answerBindingRequest(datagram, remote);
    if (response && perSource.take(remote.address)) socket.send(response, remote.port, remote.address);
  });
  let closed: Promise<void> | undefined;
  return {
    port: socket.address().port,
    close: () => (closed ??= new Promise<void>((resolve) => socket.close(() => resolve()))),
  };
}
