/**
 * Playback of one recorded range on its own P2P service: the camera paces the FLV like live, and pause,
 * resume and seek are commands on that same service's session (the camera applies them to the playback
 * running there). The position shown is the camera's (`playback_progress`), in recording time.
 */
import mpegts from 'mpegts.js';
import { playP2PFlv, type MpegtsModule, type P2PFlvView } from '@xp2p/player/browser';
import { xp2pInfoFor } from '../web-api.js';
import type { CameraContext, Panel } from '../camera-context.js';
import { h, setMessage } from '../dom.js';
import { describeApiError, describeCode } from '../errors.js';
import { innerCommand, playbackUrl } from '../stream-urls.js';
import { clock } from './calendar.js';

let playbackCounter = 0;

export function playbackPlayer(ctx: CameraContext, range: { start: number; end: number }): Panel {
  const id = `playback-${++playbackCounter}`;
  const video = h('video', { class: 'video', muted: true, playsinline: true, 'data-role': 'playback' });
  const position = h('span', { class: 'position', 'data-role': 'playback-position' }, clock(range.start));
  const seek = h('input', {
    type: 'range',
    min: range.start,
    max: Math.max(range.start, range.end - 1),
    value: range.start,
    step: 1,
    'aria-label': 'seek',
    'data-role': 'seek',
  });
  const pause = h('button', { type: 'button', 'data-role': 'pause' }, 'Pause');
  const message = h('div', { class: 'message', hidden: true });
  const el = h('div', { class: 'playback' }, video, h('div', { class: 'row' }, pause, seek, position), message);
  let view: P2PFlvView | undefined;
  let paused = false;
  let dragging = false;
  let closed = false;

  const command = async (cmd: string): Promise<{ time?: number; paused?: boolean } | undefined> => {
    const r = await ctx.p2p.sendCommand(id, innerCommand(cmd));
    if (r.type !== 'success') {
      if (!closed)
        setMessage(message, `${cmd}: ${r.type === 'error' ? describeCode(r.errcode, r.errmsg) : r.errmsg || r.status}`);
      return undefined;
    }
    return JSON.parse(r.data) as { time?: number; paused?: boolean };
  };

  const showProgress = (p: { time?: number } | undefined) => {
    if (!p || typeof p.time !== 'number' || dragging) return;
    seek.value = String(p.time);
    position.textContent = clock(p.time);
    position.dataset.time = String(p.time);
  };

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (paused) video.pause();
    else void video.play().catch(() => undefined);
    void command(paused ? 'playback_pause' : 'playback_resume').then(showProgress);
  });
  seek.addEventListener('input', () => {
    dragging = true;
    position.textContent = clock(Number(seek.value));
  });
  seek.addEventListener('change', () => {
    dragging = false;
    void command(`playback_seek&time=${seek.value}`).then(showProgress);
  });
  const poll = setInterval(() => {
    if (view) void command('playback_progress').then(showProgress);
  }, 1000);

  void (async () => {
    let xp2pInfo: string;
    try {
      xp2pInfo = await xp2pInfoFor(ctx.camera);
    } catch (err) {
      return setMessage(message, describeApiError(err, 'Opening the recording'));
    }
    if (closed) return;
    const v = playP2PFlv({
      mpegts: mpegts as unknown as MpegtsModule,
      video,
      onError: (msg) => setMessage(message, msg),
      // recordings: keep what is buffered rather than skipping ahead to "live"
      config: { liveBufferLatencyChasing: false },
    });
    const code = await ctx.p2p.startP2PService(
      id,
      {
        url: playbackUrl(range.start, range.end),
        productId: ctx.camera.productId,
        deviceName: ctx.camera.deviceName,
        xp2pInfo,
      },
      {
        msgCallback: (event, subtype, detail) => {
          v.msgCallback(event, subtype, detail);
          if (event === 'notify' && subtype === 'eof') position.textContent = `${clock(range.end)} (end)`;
        },
        dataCallback: v.dataCallback,
      },
    );
    if (closed) return v.destroy();
    if (code !== 0) {
      v.destroy();
      return setMessage(message, describeCode(code, ctx.p2p.lastError(id)));
    }
    view = v;
  })();

  return {
    el,
    close() {
      closed = true;
      clearInterval(poll);
      ctx.p2p.stopP2PService(id);
      view?.destroy();
      view = undefined;
    },
  };
}
