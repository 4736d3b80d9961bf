/**
 * A <video> playing a P2P FLV stream: the sdk's bytes → mpegts.js (FLV → fMP4 → MSE). Usage:
 *
 *   const view = playP2PFlv({ mpegts, video });
 *   await p2p.startP2PService(id, streamInfo, { msgCallback: view.msgCallback, dataCallback: view.dataCallback });
 *
 * `msgCallback` ends the stream on `eof` and reports a `disconnect`; wrap it to see other events too.
 */
import { createP2PFlvSource, type P2PFlvSource } from './p2p-flv-source.js';
import type { MpegtsModule, MpegtsPlayer } from './mpegts-types.js';
import { whenFirstFrame } from './first-frame.js';

/** Options of {@link playP2PFlv}. */
export interface PlayP2PFlvOptions {
  mpegts: MpegtsModule;
  video: HTMLVideoElement;
  /** Recordings (playback) are paced by the camera like live, so live settings suit both; default true. */
  live?: boolean;
  /** Called when mpegts.js or the stream fails, with a message a person can read. */
  onError?: (message: string) => void;
  /** Extra mpegts.js config (merged over ours). */
  config?: Record<string, unknown>;
}

/** A playing video: pass `dataCallback` and `msgCallback` to `startP2PService`. */
export interface P2PFlvView {
  /** feeds the sdk's FLV bytes to the player */
  dataCallback: (data: ArrayBuffer) => void;
  /** ends or fails the stream on the sdk's notify eof / disconnect */
  msgCallback: (event: string, subtype: string, detail?: unknown) => void;
  source: P2PFlvSource;
  player: MpegtsPlayer;
  /** Resolves with performance.now() when the first video frame is on screen. */
  firstFrame: Promise<number>;
  /** stops the player and frees it */
  destroy(): void;
}

/** Plays a P2P FLV stream in a `<video>` through mpegts.js (FLV → fMP4 → MSE); throws when the browser has no MSE. */
export function playP2PFlv(o: PlayP2PFlvOptions): P2PFlvView {
  if (!o.mpegts.getFeatureList().msePlayback) {
    throw new Error('this browser cannot play FLV video (no Media Source Extensions)');
  }
  const source = createP2PFlvSource();
  const live = o.live ?? true;
  const player = o.mpegts.createPlayer(
    // the url is never fetched (our loader supplies the bytes); mpegts.js only requires one
    { type: 'flv', isLive: live, url: 'xp2p://stream' },
    {
      customLoader: source.loaderClass,
      isLive: live,
      enableWorker: false, // the loader class lives in this page; a worker could not reach it
      enableStashBuffer: false, // first frame as soon as its bytes are here
      lazyLoad: false, // mpegts.js would otherwise pause the loader, and pushed bytes would be dropped
      liveBufferLatencyChasing: live,
      liveBufferLatencyMaxLatency: 1.5,
      liveBufferLatencyMinRemain: 0.3,
      autoCleanupSourceBuffer: true,
      ...o.config,
    },
  );
  player.on(o.mpegts.Events.ERROR, (type, detail, info) => {
    const msg = (info as { msg?: string } | undefined)?.msg;
    o.onError?.(`video player error: ${String(type)} ${String(detail)}${msg ? ` (${msg})` : ''}`);
  });
  o.video.muted = true; // autoplay without a gesture needs muted video in every browser
  o.video.playsInline = true; // iOS: play in the page, not full screen
  player.attachMediaElement(o.video);
  player.load();
  const tryPlay = () => {
    const p = player.play();
    if (p && typeof p.catch === 'function') p.catch(() => undefined); // blocked autoplay: the controls remain
  };
  tryPlay();
  let destroyed = false;
  return {
    source,
    player,
    firstFrame: whenFirstFrame(o.video),
    dataCallback: (data) => source.push(data),
    msgCallback(event, subtype, detail) {
      if (event !== 'notify') return;
      if (subtype === 'eof') source.end();
      else if (subtype === 'disconnect') {
        const reason = (detail as { reason?: string } | undefined)?.reason ?? 'disconnected';
        source.fail(reason);
        o.onError?.(`the stream was cut: ${reason}`);
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      // Tear the player down first: ending the source while mpegts.js is live makes it emit into
      // internals it has already released ("Cannot read properties of null (reading 'emit')").
      try {
        player.pause();
        player.unload();
        player.detachMediaElement();
      } finally {
        player.destroy();
      }
    },
  };
}
