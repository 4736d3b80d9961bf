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
  isWorking(): boolean;
  open(dataSource: unknown, range: unknown): void;
  abort(): void;
  destroy(): void;
}

export type MpegtsLoaderConstructor = new (seekHandler: unknown, config: unknown) => MpegtsLoader;

export interface MpegtsPlayer {
  attachMediaElement(media: HTMLMediaElement): void;
  detachMediaElement(): void;
  load(): void;
  unload(): void;
  play(): Promise<void> | void;
  pause(): void;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export interface MpegtsModule {
  createPlayer(source: Record<string, unknown>, config?: Record<string, unknown>): MpegtsPlayer;
  getFeatureList(): { msePlayback: boolean; mseLivePlayback: boolean };
  isSupported(): boolean;
  Events: { ERROR: string };
  LoggingControl?: { enableAll: boolean; enableVerbose: boolean; enableDebug: boolean; enableInfo: boolean };
}
