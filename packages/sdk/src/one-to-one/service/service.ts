/** Types of a started service (the guide's "p2p service" for an id). */
import type { RequestHandle } from '../requests/request.js';
import type { StreamReport } from './stream-report.js';

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
  /** settles startP2PStream while it still waits for the camera's answer (stopP2PStream came first) */
  cancelStart: () => void;
}
