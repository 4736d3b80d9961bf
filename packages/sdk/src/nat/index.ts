/** NAT probe: STUN Binding client (RFC 8489 + RFC 5780) and NAT behaviour classifier. */
export {
  encodeBindingRequest,
  decodeBindingResponse,
  decodeAddress,
  StunAttribute,
  type BindingResponse,
  type Endpoint,
} from './stun.js';
export {
  probeNat,
  stunBinding,
  natTypeName,
  NatProbeError,
  type NatProbeResult,
  type NatBehaviour,
  type ProbeOptions,
  type StunServerAddress,
  type BindingOptions,
} from './probe.js';
export type { UdpSocket, UdpTransport } from './transport.js';
export * from './monitor.js';
export {
  iceNatProbe,
  classifyCandidates,
  parseIceCandidate,
  type IceProbeOptions,
  type ParsedCandidate,
} from './ice-probe.js';
