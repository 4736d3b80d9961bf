/**
 * The viewer module with the X-P2P guide's API, for any platform: `createP2PModule(platform)`.
 * Applications use `@xp2p/sdk/node` or `@xp2p/sdk/browser`, which supply the platform.
 *
 * @module @xp2p/sdk
 */
export {
  createP2PModule,
  type P2PModule,
  type InitOptions,
  type StreamParams,
  type ServiceStats,
} from './guide/module.js';
export type { Platform } from './platform.js';
export type { AppParams, PublicAppParams } from './app-params.js';
export type { SignalCredentials, TicketSource } from './signal/signal-credentials.js';
export type { StreamInfo } from './one-to-one/service/service.js';
export type { P2PEventMap } from './one-to-one/service/service-events.js';
export { SDK_DEFAULTS } from './defaults.js';
export {
  XP2PEventEnum,
  XP2PNotify_SubType,
  type MsgCallback,
  type DataCallback,
  type ServiceCallbacks,
} from './guide-events.js';
export { fetchXp2pInfo, ApiError } from './guide/xp2p-info-client.js';
export { preferActiveDtlsRole, normaliseCandidate, candidateType } from './sdp.js';
export { ErrorCode, XP2PError } from '@xp2p/protocol';
export type { CommandResult, CommandResultType } from './one-to-one/requests/command.js';
export type { DownloadCallbacks, DownloadResponse } from './one-to-one/requests/download.js';
export type { RecorderManager, RecorderStartOptions, VoiceCallbacks } from './one-to-one/requests/recorder.js';
export * from './nat/index.js';
export * from './swarm/index.js';
