/** One started service (the guide's "p2p service" for an id): its inputs, session and running stream. */
import type { DeviceRequest, Xp2pInfo } from '@xp2p/protocol';
import type { ServiceCallbacks } from '../../guide/events.js';
import type { IpcSession } from '../session/ipc-session.js';
import type { RunningDownload } from '../requests/download.js';
import type { RequestHandle } from '../requests/request.js';
import type { StreamReport } from './stream-report.js';
import type { VoiceTalk } from '../requests/voice.js';

export interface StreamInfo {
  url: string;
  /**
   * 1vN only: the same stream's URL on other server nodes (same NAME), tried in order when `url`'s node
   * fails. Default: the stream's path on each node of appParams.serverUrl.
   */
  urls?: string[];
  productId?: string;
  deviceName?: string;
  xp2pInfo?: string;
  /** 1vN only: share what this viewer receives with others (default true; false = the reference system's mobile mode) */
  upload?: boolean;
}

export interface RunningStream {
  handle: RequestHandle;
  dataCallback: (data: ArrayBuffer) => void;
  startedAt: number;
  firstByteAt?: number;
  bytes: number;
  /** what the server's metrics learn of this stream */
  report: StreamReport;
}

export interface Service {
  id: string;
  streamInfo: StreamInfo;
  info: Xp2pInfo;
  /** The request in streamInfo.url (used when startP2PStream gets no `flv`). */
  defaultRequest: DeviceRequest;
  callbacks: ServiceCallbacks;
  abort: AbortController;
  /** Settles when the P2P link is up (or failed). */
  connecting: Promise<IpcSession>;
  session?: IpcSession;
  stream?: RunningStream;
  voice?: VoiceTalk;
  download?: RunningDownload;
  stopped: boolean;
}
