/**
 * A 1vN room: the stream `NAME` published on the origin, watched through the swarm (WebRTC mesh + origin)
 * with the same mpegts.js glue as the camera view. A live chart samples the sdk's swarm figures every
 * second (P2P share, peers, bitrate), and an upload switch turns this viewer into a leech (mobile mode:
 * the service restarts with `upload: false`). The figures are also on `[data-role=room-stats]` as data
 * attributes, for tests and anyone scripting the page.
 */
import mpegts from 'mpegts.js';
import { playP2PFlv, type MpegtsModule, type P2PFlvView } from '@xp2p/player/browser';
import { h, setMessage } from '../dom.js';
import { describeCode } from '../errors.js';
import { swarmChart } from '../panels/swarm-chart.js';
import type { P2PModule } from '../sdk.js';
import { roomStreamUrl } from '../streams-api.js';

const SAMPLE_MS = 1000;

export function roomView(p2p: P2PModule, name: string): { el: HTMLElement; close(): void } {
  const serviceId = `room:${name}`;
  const { el, video, status, message, retry, uploadBox, uploadNote, figures, chart } = roomLayout(
    name,
    () => void start(),
  );

  let view: P2PFlvView | undefined;
  let run = 0;
  let closed = false;
  const sampler = swarmSampler(p2p, serviceId, figures, chart);

  function showUploadMode(): void {
    const on = uploadBox.checked;
    el.dataset.upload = String(on);
    uploadNote.textContent = on
      ? 'Sharing: other viewers can fetch from you.'
      : 'Mobile mode: watching only, nothing is uploaded.';
  }

  function stop(): void {
    run++;
    p2p.stopP2PService(serviceId);
    if (view) teardown(view);
    view = undefined;
    sampler.reset();
  }

  function fail(why: string): void {
    setMessage(message, why);
    status.textContent = 'Not playing';
    retry.hidden = false;
  }

  async function start(): Promise<void> {
    stop();
    const myRun = run;
    const upload = uploadBox.checked;
    showUploadMode();
    setMessage(message, '');
    retry.hidden = true;
    status.textContent = upload ? 'Joining…' : 'Joining (mobile mode)…';
    const url = await roomStreamUrl(name);
    if (myRun !== run || closed) return;
    // joined with the stream's key: only records the origin signed are played
    el.dataset.signed = String(new URL(url).searchParams.has('pk'));
    let v: P2PFlvView;
    try {
      v = playP2PFlv({
        mpegts: mpegts as unknown as MpegtsModule,
        video,
        onError: (msg) => {
          if (myRun !== run) return;
          setMessage(message, msg);
          retry.hidden = false;
        },
      });
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    view = v;
    const startedAt = performance.now();
    const code = await p2p.startP2PService(
      serviceId,
      { url, upload },
      {
        msgCallback: (event, subtype, detail) => {
          v.msgCallback(event, subtype, detail);
          if (myRun !== run || event !== 'notify') return;
          if (subtype === 'eof') {
            status.textContent = 'The stream ended.';
            setMessage(message, 'The publisher stopped this stream.', 'info');
            retry.hidden = false;
          }
        },
        dataCallback: v.dataCallback,
      },
    );
    if (myRun !== run) return;
    if (code !== 0) {
      teardown(v);
      view = undefined;
      return fail(describeCode(code, p2p.lastError(serviceId)));
    }
    status.textContent = 'Joined, waiting for the first frame…';
    void v.firstFrame.then((at) => {
      if (myRun !== run) return;
      const ttff = Math.round(at - startedAt);
      status.dataset.ttffMs = String(ttff);
      status.textContent = `Playing · first frame in ${ttff} ms${upload ? '' : ' · mobile mode'}`;
    });
  }

  uploadBox.addEventListener('change', () => void start());
  showUploadMode();
  void start();
  const timer = setInterval(() => {
    if (!closed) sampler.sample();
  }, SAMPLE_MS);
  return {
    el,
    close() {
      closed = true;
      clearInterval(timer);
      chart.close();
      stop();
    },
  };
}

/** The room's elements: video, status, retry button, upload switch, figures line and chart. */
function roomLayout(name: string, onRetry: () => void) {
  const video = h('video', { class: 'video', controls: true, muted: true, playsinline: true, 'data-role': 'room' });
  const status = h('div', { class: 'stats', 'data-role': 'room-status' }, 'Joining…');
  const message = h('div', { class: 'message', hidden: true });
  const retry = h('button', { type: 'button', hidden: true, onclick: onRetry }, 'Join again');
  const uploadBox = h('input', { type: 'checkbox', checked: true, 'data-role': 'upload' });
  const uploadNote = h('span', { class: 'hint', 'data-role': 'upload-mode' });
  const uploadRow = h('label', { class: 'switch' }, uploadBox, h('span', {}, 'Share with other viewers (upload)'));
  const figures = h('div', { class: 'stats figures', 'data-role': 'room-stats' }, '');
  const chart = swarmChart([
    { key: 'share', label: 'P2P share', colour: '#188038', max: 100, format: (v) => `${Math.round(v)}%` },
    { key: 'peers', label: 'Peers', colour: '#1a73e8', format: (v) => String(Math.round(v)) },
    { key: 'kbps', label: 'Bitrate', colour: '#e37400', format: (v) => `${Math.round(v)} kbps` },
  ]);
  const el = h(
    'div',
    { class: 'room', 'data-room': name },
    h('div', { class: 'row title' }, h('a', { href: '#/' }, '‹ Home'), h('h2', {}, `Room ${name}`)),
    h('section', { class: 'panel live' }, video, status, message, retry),
    h('div', { class: 'row' }, uploadRow, uploadNote),
    figures,
    chart.el,
  );
  return { el, video, status, message, retry, uploadBox, uploadNote, figures, chart };
}

/**
 * Reads the sdk's swarm figures once per call into the figures line, its data attributes and the chart.
 * reset(): the service restarted, its counters start again.
 */
function swarmSampler(
  p2p: P2PModule,
  serviceId: string,
  figures: HTMLElement,
  chart: ReturnType<typeof swarmChart>,
): { sample(): void; reset(): void } {
  let prev: { at: number; bytes: number } | undefined;
  return {
    reset: () => {
      prev = undefined;
    },
    sample() {
      const s = p2p.getSwarmStats(serviceId);
      const now = performance.now();
      const p2pBytes = s?.p2pBytes ?? 0;
      const cdnBytes = s?.cdnBytes ?? 0;
      const total = p2pBytes + cdnBytes;
      // a restart (upload switch) starts the counters again: no negative bitrate
      const kbps = prev && total >= prev.bytes ? ((total - prev.bytes) * 8) / (now - prev.at) : 0;
      prev = s ? { at: now, bytes: total } : undefined;
      const share = total > 0 ? (100 * p2pBytes) / total : 0;
      const peers = s?.peers ?? 0;
      Object.assign(figures.dataset, {
        p2pBytes: String(p2pBytes),
        cdnBytes: String(cdnBytes),
        uploadBytes: String(s?.uploadBytes ?? 0),
        peers: String(peers),
        stalls: String(s?.stalls ?? 0),
        refusedRecords: String(s?.refusedRecords ?? 0),
        share: share.toFixed(1),
        bitrateKbps: String(Math.round(kbps)),
        samples: String(Number(figures.dataset.samples ?? 0) + 1),
      });
      figures.textContent = s
        ? `P2P ${kib(p2pBytes)} · origin ${kib(cdnBytes)} · uploaded ${kib(s.uploadBytes)} · ` +
          `${peers} peer${peers === 1 ? '' : 's'} · stalls ${s.stalls}` +
          (s.lagMs !== undefined ? ` · ${(s.lagMs / 1000).toFixed(1)} s behind live` : '')
        : 'Not in the swarm';
      chart.push({ share, peers, kbps });
    },
  };
}

/**
 * Stops the player without ending its source first: P2PFlvView.destroy() ends the source, whose
 * complete/flush callbacks make mpegts.js queue emits that run after destroy() nulled its emitter (a
 * "Cannot read properties of null (reading 'emit')" page error on every restart). The service is
 * already stopped here, so nothing pushes into the source again.
 */
function teardown(v: P2PFlvView): void {
  try {
    v.player.pause();
    v.player.unload();
    v.player.detachMediaElement();
  } catch {
    // a player that never got going: destroy() below still frees it
  } finally {
    v.player.destroy();
  }
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
