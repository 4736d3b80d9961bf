export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export { ensureDevConfig, createDevConfig, DEV_CONFIG_FILE } from './config/dev-config.js';
export { loadConfig } from './config/load-config.js';
export { parseConfig, xp2pConfigSchema, type XP2PConfig, type AppConfig, type DeviceConfig } from './config/schema.js';
export type { DeviceStatus } from './signal/presence.js';
export { SERVER_DEFAULTS, type ServerTuning } from './defaults.js';
export { ConfigError, HttpError } from './errors.js';
export { CLOSE_REPLACED } from './signal/device-endpoint.js';
export { DEVICE_PATH, VIEWER_PATH } from './signal/upgrade.js';
