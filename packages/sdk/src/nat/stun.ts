/** The NAT probe's view of STUN: the protocol package's Binding client codec, under the probe's names. */
export {
  MAGIC_COOKIE,
  StunAttr as StunAttribute,
  encodeBindingRequest,
  decodeBindingResponse,
  decodeAddress,
  newTransactionId,
  sameTransactionId,
  type BindingResponse,
  type StunEndpoint as Endpoint,
} from '@xp2p/protocol';
