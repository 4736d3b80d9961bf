/**
 * What the sdk needs from its host, injected so the shared code has no Node imports: browsers pass their
 * native classes, Node passes node-datachannel's W3C polyfill and `ws` (see node.ts).
 */
import type { IceServer, IncrementalHash } from '@xp2p/protocol';
import type { UdpTransport } from './nat/transport.js';
import type { NatProber } from './nat/monitor.js';

export interface Platform {
  RTCPeerConnection: new (config: RTCConfiguration & Record<string, unknown>) => RTCPeerConnection;
  WebSocket: new (url: string) => WebSocket;
  fetch: typeof fetch;
  /**
   * Why P2P cannot run on this host (a browser without RTCPeerConnection, WebSocket or WebCrypto): the
   * module is still created, getUUID works, and init answers the guide's -2404 with this reason logged.
   */
  unsupported?: string;
  /** Extra RTCConfiguration fields for this host (node-datachannel: bindAddress, port range ...). */
  rtcConfigExtras?: Record<string, unknown>;
  /** A faster incremental SHA-256 than the pure one (Node: node:crypto), for download checks. */
  createSha256?: () => IncrementalHash;
  /** Called once when the module is destroyed (node-datachannel needs cleanup() at process end). */
  onDestroy?: () => void;
  /** UDP sockets and DNS for the NAT probe (Node: node:dgram). Without it (browsers) init does not probe. */
  udp?: UdpTransport;
  /**
   * A NAT probe for hosts without `udp` (browsers: ICE gathering against the STUN servers, ice-probe.ts);
   * given the timeout the module allows one probe.
   */
  natProbe?: (timeoutMs: number) => NatProber;
  /** The host's network-change signals (browsers: online/offline, navigator.connection 'change'). */
  watchNetwork?: (onChange: () => void) => () => void;
  /** This host's interface addresses, "name/address" (Node: os.networkInterfaces()); a change fires natChanged. */
  localAddresses?: () => string[];
  /**
   * The ICE servers the signalling server handed out, as this host's peer connections can use them (Node:
   * TURN over TCP/TLS through a local bridge, nat/node-turn-bridge.ts). Called once per signalling connect.
   */
  prepareIceServers?: (servers: IceServer[]) => Promise<IceServer[]>;
}
