/** NAT probe test helpers: in-memory UDP transports with a STUN server and a NAT of chosen behaviour. */
export * from './changeable-nat.js';
export * from './stun-test-server.js';
