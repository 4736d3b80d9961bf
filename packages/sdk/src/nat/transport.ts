/**
 * What the NAT probe needs from its host: one UDP socket (the mapping tests must all leave from the same
 * local port) and DNS. Node implements it with node:dgram (node-udp.ts); a browser has no UDP and uses
 * ICE gathering instead (ice-probe.ts).
 */
import type { Endpoint } from './stun.js';

export interface UdpSocket {
  /** the local address and port the socket is bound to */
  readonly local: Endpoint;
  send(data: Uint8Array, to: Endpoint): void;
  /** returns a function that removes the listener */
  onMessage(listener: (data: Uint8Array, from: Endpoint) => void): () => void;
  close(): void;
}

export interface UdpTransport {
  /** Opens a socket; `bindAddress` picks the local interface (default: any). */
  open(options?: { bindAddress?: string; family?: 4 | 6 }): Promise<UdpSocket>;
  /** Resolves a DNS name (an IP literal resolves to itself). */
  resolve(host: string, family?: 4 | 6): Promise<string>;
}
