export * from './chunk-meta.js';
export * from './tracker-messages.js';
export * from './peer-wire.js';
export * from './chunker.js';
export * from './start-pick.js';
export * from './bad-peer-quorum.js';
export * from './record-signature.js';
