export * from './message.js';
export * from './crc32.js';
export * from './ip-address.js';
export * from './binding.js';
