/**
 * The wire and the guide's codes, pure code with no I/O: error codes, xp2pInfo, tokens and signatures,
 * signalling, tracker and peer-wire schemas, request framing, FLV demux/mux, STUN, the 1vN chunker.
 *
 * @module @xp2p/protocol
 */
export * from './errors.js';
export * from './version.js';
export * from './bytes.js';
export * from './xp2p-info.js';
export * from './request-url.js';
export * from './live-quality.js';
export * from './content-types.js';
export * from './auth/hmac.js';
export * from './auth/app-signature.js';
export * from './auth/device-proof.js';
export * from './auth/viewer-token.js';
export * from './auth/roles.js';
export * from './auth/publish-key.js';
export * from './auth/camera-stream.js';
export * from './secure-transport.js';
export * from './signal/messages.js';
export * from './signal/device-messages.js';
export * from './signal/start-relay.js';
export * from './signal/start-relay-crypto.js';
export * from './signal/start-relay-binary.js';
export * from './signal/ice-servers.js';
export * from './framing/request-path.js';
export * from './signal/viewer-uuid.js';
export * from './framing/messages.js';
export * from './framing/control.js';
export * from './flv/index.js';
export * from './swarm/index.js';
export * from './sha256-stream.js';
export * from './stun/index.js';
export * from './server-list.js';
export * from './sctp-settings.js';
export { describeIssue, type MessageSchema } from './schema.js';
