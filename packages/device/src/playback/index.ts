/** Playback of recordings as one FLV stream, and its per-session controls. */
export * from './playback-stream.js';
export * from './playback-registry.js';
export * from './playback-handler.js';
