/**
 * Everything a web page needs to play a camera, as one ESM file (`dist/app/sdk/xp2p-sdk.js`, served by
 * the server at `/sdk/xp2p-sdk.js`) with one `.d.ts`: the sdk's browser entry and the mpegts.js glue.
 * mpegts.js itself is not inside: the page passes the module it loads (`playP2PFlv({ mpegts, video })`).
 */
export * from '@xp2p/sdk/browser';
export * from '@xp2p/player/browser';
