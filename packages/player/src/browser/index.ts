/**
 * Browser glue: sdk bytes into mpegts.js. Import as `@xp2p/player/browser` (no Node imports here).
 *
 * @module @xp2p/player/browser
 */
export { playP2PFlv, type PlayP2PFlvOptions, type P2PFlvView } from './p2p-video.js';
export { createP2PFlvSource, type P2PFlvSource } from './p2p-flv-source.js';
export { whenFirstFrame } from './first-frame.js';
export type { MpegtsModule, MpegtsPlayer, MpegtsLoader, MpegtsLoaderConstructor } from './mpegts-types.js';
