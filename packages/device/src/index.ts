/**
 * The camera agent: logs a camera in to a server with its secret and answers viewers over WebRTC
 * (live from a GOP cache, playback, downloads, talkback, commands); media sources and recordings.
 *
 * @module @xp2p/device
 */
export { startDeviceAgent, type DeviceAgent, type DeviceAgentOptions, type DeviceAgentStatus } from './agent.js';
export { DEVICE_DEFAULTS } from './defaults.js';
export { openCameraFeed, openCameraFeeds, parseSourceFlag, sourceFromSpec, type CameraFeed } from './camera-feed.js';
export * from './live-streams.js';
export { startDirectHttp, type DirectHttpServer } from './direct-http.js';
export { LiveHandler } from './live-handler.js';
export { createRouter, type RouterParts } from './router.js';
export type { RequestContext, RequestHandler, ResponseWriter } from './response-writer.js';
export { cleanupWebRTC } from './rtc.js';
export * from './media/index.js';
export * from './recordings/index.js';
export * from './playback/index.js';
export * from './download/index.js';
export * from './voice/index.js';
export * from './commands/index.js';
export { isFingerprint, ServerCertificateError, type ServerTrust } from './server-trust.js';
