/** What a 1vN viewer takes (options), tells (events) and reports (stats). */
import type { SignalCredentials } from '../../signal/signal-credentials.js';
import type { Platform } from '../../platform.js';
import type { SwarmOptions } from '../engine/defaults.js';
import type { SwarmClock, SwarmEvent, SwarmOutput, SwarmStats } from '../engine/types.js';
import type { WebRtcMeshOptions } from './webrtc-mesh.js';

export type SwarmViewerEvent =
  | SwarmEvent
  | { type: 'error'; message: string; status?: number }
  | { type: 'joined'; peerId: string }
  /** a record (`chunk 12`, `init 0`) not signed by the stream's key (the URL's `pk`) was dropped */
  | { type: 'record-refused'; record: string }
  /** moved to another node after `from` failed; `gapMs`: from noticing the failure to joined there */
  | { type: 'node-moved'; from: string; to: string; peerId: string; gapMs: number };

export interface SwarmViewerOptions {
  platform: Platform;
  /** the app's keys, or a signalling ticket (a web page: signal/signal-credentials.ts) */
  app: SignalCredentials;
  /**
   * http(s)://host[:port]/live/NAME.flv[?pk=KEY] — the node to start with, the stream name, and the stream's
   * public key: with it, only records the origin signed are trusted (record-check.ts)
   */
  streamUrl: string;
  /**
   * every node that serves the stream (base URLs, the stream URL's node first; see streamNodesOf):
   * tracker and chunk URLs move to the next when one fails. Default: the stream URL's node only.
   */
  nodes?: readonly string[];
  /** false (mobile mode): download only */
  upload?: boolean;
  onData: SwarmOutput['onData'];
  /** 'eof': the publish ended; 'unreachable': every node that serves the stream was lost (the guide's disconnect) */
  onEnd?: (why: 'eof' | 'unreachable') => void;
  onEvent?: (event: SwarmViewerEvent) => void;
  clock?: SwarmClock;
  engine?: Partial<SwarmOptions>;
  mesh?: Partial<WebRtcMeshOptions>;
  joinTimeoutMs?: number;
  /** figures sent to the tracker this often */
  reportIntervalMs?: number;
  /** after the stream ended, how long the chunks announced before the end may take to arrive */
  endGraceMs?: number;
  /** the node is pinged this often; silent for `nodeSilenceMs` (no close, e.g. frozen or cut off) = lost */
  pingIntervalMs?: number;
  nodeSilenceMs?: number;
}

export interface SwarmViewerStats extends SwarmStats {
  /** the node in use (base URL) */
  node: string;
  /** times the viewer moved to another node */
  nodeMoves: number;
  /** the last move's gap: failure noticed → joined on the next node (ms) */
  lastMoveGapMs: number | undefined;
  /** init and chunk records dropped because the stream's key did not sign them (record-check.ts) */
  refusedRecords: number;
}

export interface SwarmViewer {
  readonly peerId: string;
  stats(): SwarmViewerStats;
  stop(): void;
}
