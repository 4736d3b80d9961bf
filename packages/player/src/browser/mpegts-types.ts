/**
 * The small part of mpegts.js's API the glue uses, declared here so `player` does not depend on
 * mpegts.js: the page passes the module it bundled (`import mpegts from 'mpegts.js'`).
 * Shapes follow mpegts.js 1.8 `d.ts/mpegts.d.ts` (BaseLoader, CustomLoaderConstructor, Player).
 */
export interface MpegtsLoader {
  _status: number;
  _needStash: boolean;
  readonly type: string;
  readonly status: number;
  readonly needStashBuffer: boolean;
  /** true while the loader delivers bytes */
  isWorking(): boolean;
  /** mpegts.js starts loading */
  open(dataSource: unknown, range: unknown): void;
  /** mpegts.js stops loading */
  abort(): void;
  /** frees the loader */
  destroy(): void;
}

/** How mpegts.js creates a custom loader (`config.customLoader`). */
export type MpegtsLoaderConstructor = new (seekHandler: unknown, config: unknown) => MpegtsLoader;

/** The mpegts.js player methods the glue uses. */
export interface MpegtsPlayer {
  /** binds the player to a video element */
  attachMediaElement(media: HTMLMediaElement): void;
  /** unbinds it */
  detachMediaElement(): void;
  /** starts loading the source */
  load(): void;
  /** stops loading */
  unload(): void;
  /** plays (may be refused without a user gesture) */
  play(): Promise<void> | void;
  /** pauses */
  pause(): void;
  /** frees the player */
  destroy(): void;
  /** listens to a player event (mpegts.Events) */
  on(event: string, listener: (...args: unknown[]) => void): void;
}

/** The mpegts.js module a page passes in (`import mpegts from 'mpegts.js'`, or `window.mpegts`). */
export interface MpegtsModule {
  /** creates a player for a media data source */
  createPlayer(source: Record<string, unknown>, config?: Record<string, unknown>): MpegtsPlayer;
  /** what this browser supports (MSE playback) */
  getFeatureList(): { msePlayback: boolean; mseLivePlayback: boolean };
  /** true when this browser can play through MSE */
  isSupported(): boolean;
  Events: { ERROR: string };
  LoggingControl?: { enableAll: boolean; enableVerbose: boolean; enableDebug: boolean; enableInfo: boolean };
}
