/**
 * Live view: asks the server for the camera's xp2pInfo, starts the P2P service with the video glue as its
 * dataCallback, then shows the time to first frame and the network path once known.
 */
import mpegts from 'mpegts.js';
import { playP2PFlv, type MpegtsModule, type P2PFlvView } from '@xp2p/player/browser';
import { xp2pInfoFor } from '../web-api.js';
import type { CameraContext, Panel } from '../camera-context.js';
import { h, setMessage } from '../dom.js';
import { describeApiError, describeCode } from '../errors.js';
import { innerCommand, liveUrl } from '../stream-urls.js';

// Candidate types name where an address came from, not whether a NAT was crossed: a browser that hides its
// host addresses (mDNS) reaches even a camera on the same machine by its server-reflexive address.
const PATH_NAMES: Record<string, string> = {
  host: 'direct (host)',
  srflx: 'direct (server-reflexive address)',
  prflx: 'direct (peer-reflexive address)',
  relay: 'relayed (TURN)',
};

const PATH_ATTEMPTS = 20;
const PATH_RETRY_MS = 500;

export interface LivePanel extends Panel {
  /** Starts (or restarts) the live view; resolves once connected or failed. */
  start(): Promise<{ ok: true } | { ok: false; why: string }>;
}

export function livePanel(ctx: Omit<CameraContext, 'connected'>): LivePanel {
  const video = h('video', { class: 'video', controls: true, muted: true, playsinline: true, 'data-role': 'live' });
  const stats = h('div', { class: 'stats', 'data-role': 'live-stats' }, 'Connecting…');
  const message = h('div', { class: 'message', hidden: true });
  const retry = h('button', { type: 'button', hidden: true, onclick: () => void start() }, 'Reconnect');
  const picker = streamPicker(() => void start());
  const { chosen } = picker;
  const el = h('section', { class: 'panel live' }, video, picker.el, stats, message, retry);
  let view: P2PFlvView | undefined;
  let run = 0;

  async function listStreams(myRun: number): Promise<void> {
    const answer = await ctx.p2p.sendCommand(ctx.serviceId, innerCommand('get_device_st&type=live'));
    if (myRun !== run || answer.type !== 'success') return;
    picker.offer(answer.data);
  }

  function stop(): void {
    run++;
    ctx.p2p.stopP2PService(ctx.serviceId);
    view?.destroy();
    view = undefined;
  }

  function fail(why: string): { ok: false; why: string } {
    setMessage(message, why);
    stats.textContent = 'Not connected';
    retry.hidden = false;
    return { ok: false, why };
  }

  async function start(): Promise<{ ok: true } | { ok: false; why: string }> {
    stop();
    const myRun = run;
    setMessage(message, '');
    retry.hidden = true;
    stats.textContent = 'Connecting…';
    let xp2pInfo: string;
    try {
      xp2pInfo = await xp2pInfoFor(ctx.camera);
    } catch (err) {
      return fail(describeApiError(err, 'Opening the camera'));
    }
    if (myRun !== run) return { ok: false, why: 'closed' };
    const v = playP2PFlv({
      mpegts: mpegts as unknown as MpegtsModule,
      video,
      onError: (msg) => {
        setMessage(message, msg);
        retry.hidden = false;
      },
    });
    view = v;
    const startedAt = performance.now();
    const code = await ctx.p2p.startP2PService(
      ctx.serviceId,
      {
        url: liveUrl(chosen().channel, chosen().quality),
        productId: ctx.camera.productId,
        deviceName: ctx.camera.deviceName,
        xp2pInfo,
      },
      {
        msgCallback: (event, subtype, detail) => v.msgCallback(event, subtype, detail),
        dataCallback: v.dataCallback,
      },
    );
    if (myRun !== run) return { ok: false, why: 'closed' };
    if (code !== 0) {
      v.destroy();
      view = undefined;
      return fail(describeCode(code, ctx.p2p.lastError(ctx.serviceId)));
    }
    stats.textContent = 'Connected, waiting for the first frame…';
    void listStreams(myRun);
    void v.firstFrame.then(async (at) => {
      if (myRun !== run) return;
      const ttff = Math.round(at - startedAt);
      stats.dataset.ttffMs = String(ttff);
      stats.textContent = `First frame in ${ttff} ms`;
      // The path can be unknown for a moment (a busy browser, or a reconnect just under way): ask again.
      for (let attempt = 0; attempt < PATH_ATTEMPTS; attempt++) {
        const s = await ctx.p2p.getServiceStats(ctx.serviceId);
        if (myRun !== run) return;
        stats.textContent = `First frame in ${ttff} ms · path: ${s?.path ? (PATH_NAMES[s.path] ?? s.path) : 'unknown'}`;
        if (s?.path) {
          stats.dataset.path = s.path;
          return;
        }
        await new Promise((r) => setTimeout(r, PATH_RETRY_MS));
      }
    });
    return { ok: true };
  }

  return { el, start, close: stop };
}

/** The camera's channels and qualities, from its get_device_st once connected; choosing one restarts. */
function streamPicker(onChange: () => void): {
  el: HTMLSelectElement;
  chosen(): { channel: number; quality?: string };
  /** Fills the choice from a get_device_st answer, once (later answers change nothing). */
  offer(answerData: string): void;
} {
  const el = h('select', {
    'data-role': 'live-stream',
    'aria-label': 'Channel and quality',
    hidden: true,
    onchange: onChange,
  });
  function chosen(): { channel: number; quality?: string } {
    const [channel, quality] = el.value.split(':');
    return el.value ? { channel: Number(channel), quality } : { channel: 0 };
  }
  function offer(answerData: string): void {
    if (el.options.length > 0) return;
    let streams: { channel: number; quality: string }[];
    try {
      streams = (JSON.parse(answerData) as { streams?: { channel: number; quality: string }[] }[])[0]?.streams ?? [];
    } catch {
      return; // a camera that does not list its streams: no choice to offer
    }
    const current = chosen();
    for (const { channel, quality } of streams) {
      const option = h('option', { value: `${channel}:${quality}` }, `Channel ${channel} · ${quality}`);
      if (
        channel === current.channel &&
        (current.quality ?? streams.find((s) => s.channel === channel)?.quality) === quality
      )
        option.selected = true;
      el.append(option);
    }
    el.hidden = streams.length < 2;
  }
  return { el, chosen, offer };
}
