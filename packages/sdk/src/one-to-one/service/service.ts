/** Types of a started service (the guide's "p2p service" for an id). */

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
  /**
   * 1v1 only: when the camera is full, play its 1vN stream instead of failing with -2402 (default
   * SDK_DEFAULTS.oneToManyWhenFull, true). false: -2402 as before.
   */
  oneToManyWhenFull?: boolean;
}

export interface RunningStream {
  /** the 1v1 request, or the joined 1vN stream of a full camera */
  handle: { cancel(): void };
  dataCallback: (data: ArrayBuffer) => void;
  startedAt: number;
  firstByteAt?: number;
  bytes: number;
  /** what the server's metrics learn of this stream */
  report: { close(): void };
  /** settles startP2PStream while it still waits for the camera's answer (stopP2PStream came first) */
  cancelStart: () => void;
}
