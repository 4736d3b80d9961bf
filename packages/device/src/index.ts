export { startDeviceAgent, type DeviceAgent, type DeviceAgentOptions, type DeviceAgentStatus } from './agent.js';
export { DEVICE_DEFAULTS } from './defaults.js';
export { openCameraFeed, sourceFromSpec, type CameraFeed } from './camera-feed.js';
export { startDirectHttp, type DirectHttpServer } from './direct-http.js';
export type { LiveFeed } from './live-handler.js';
export { cleanupWebRTC } from './rtc.js';
export * from './media/index.js';
