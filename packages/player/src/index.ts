/**
 * A local HTTP-FLV endpoint fed by the sdk, so any player (ffplay, VLC, mpv) opens a camera by URL.
 *
 * @module @xp2p/player
 */
export * from './bridge.js';
