/**
 * The server: signalling hub, app and camera authentication, xp2pInfo API, 1vN tracker and origin,
 * STUN, TURN credentials, metrics; alone or as a Redis cluster. `startServer` runs one node.
 *
 * @module @xp2p/server
 */
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export {
  ensureDevConfig,
  createDevConfig,
  splitLegacyConfig,
  readDevCredentials,
  DEV_CONFIG_FILE,
  DEV_CREDENTIALS_FILE,
  type DevCredentials,
} from './config/dev-config.js';
export { loadConfig } from './config/load-config.js';
export { ensureDemoUser, DEMO_USER, DEMO_CAMERA } from './accounts/demo-user.js';
export { parseConfig, xp2pConfigSchema, type XP2PConfig, type AppConfig, type DeviceConfig } from './config/schema.js';
export type { DeviceStatus } from './signal/presence.js';
export { SERVER_DEFAULTS, type ServerTuning } from './defaults.js';
export { ConfigError, HttpError } from './errors.js';
export { CLOSE_REPLACED } from './signal/device-endpoint.js';
export { DEVICE_PATH, VIEWER_PATH, PEER_PATH } from './signal/upgrade.js';
export { Origin, type Publisher, type OriginListener } from './origin/origin.js';
export type { PullHandle, PullResult } from './origin/pull.js';
export { UpstreamError } from './origin/pull.js';
export { InvalidStreamNameError, StreamBusyError, OriginClosedError } from './origin/origin-errors.js';
export type { StreamStats } from './http/streams-api.js';
export { turnCredentials, turnIceServer } from './turn/credentials.js';
export { startRfc5780Server } from './stun/rfc5780-server.js';
export { resolveServerSettings, SERVER_SETTING_FLAGS, type ServerSettings } from './config/server-settings.js';
export { createJsonLogger, scrubSecrets, LOG_LEVELS, type LogFormat } from './ops/logger.js';
export { SERVER_VERSION } from './version.js';
export type { TlsFiles } from './tls/tls-files.js';
export { CAPACITY_BENCH_TUNING } from './bench/capacity-tuning.js';
export { runSignalLoadBench, type SignalLoadOptions, type SignalLoadResult } from './bench/signal-load.js';
export { AccountStore, parseDeviceRef } from './accounts/account-store.js';
export { AuditLog } from './accounts/audit-log.js';
export { WebSessions, type WebSession } from './accounts/web-sessions.js';
export { issueSignalTicket, verifySignalTicket, type TicketCheck } from './auth/signal-ticket.js';
export { SESSION_COOKIE, CSRF_HEADER } from './http/web-guard.js';
export { AccountError } from './accounts/account-errors.js';
export type { AppRecord, DeviceRecord, UserRecord, BindingRecord, AuditRecord } from './accounts/records.js';
export { openDatabase, isPostgresUrl, type DatabaseChoice } from './db/open-database.js';
export type { Database } from './db/database.js';
export { runOnAccounts, AdminError } from './admin/admin-client.js';
export { runAdminOperation, adminOperationSchema, type AdminOperation } from './admin/operations.js';
export { ADMIN_SOCKET } from './admin/admin-socket.js';
export { DEVICE_LOGIN_REFUSED } from './signal/device-endpoint.js';
export { hashPassword } from './accounts/password.js';
