/**
 * Hold to talk: while the button is held (pointer or Space/Enter), the microphone goes to the camera as
 * 16 kHz mono 16-bit PCM. The microphone is opened on the press itself, so the browser's permission
 * prompt belongs to a user gesture; errors (no permission, camera busy) are shown with their code.
 */
import type { CameraContext, Panel } from '../camera-context.js';
import { h, setMessage } from '../dom.js';
import { describeMicrophoneError, describeTalkError } from '../errors.js';
import { BrowserPcmRecorder } from '../talk/browser-recorder.js';

const SAMPLE_RATE = 16000;

export function talkPanel(ctx: CameraContext): Panel {
  const button = h('button', { type: 'button', class: 'talk', 'data-role': 'talk' }, 'Hold to talk');
  const status = h('span', { class: 'talk-status', 'data-role': 'talk-status' });
  const message = h('div', { class: 'message', hidden: true });
  const el = h('div', { class: 'talk-row' }, button, status, message);
  let held = false;
  let talking: { recorder: BrowserPcmRecorder; timer: ReturnType<typeof setInterval> } | undefined;

  async function press(): Promise<void> {
    if (held) return;
    held = true;
    setMessage(message, '');
    button.classList.add('active');
    status.textContent = 'Opening the microphone…';
    let recorder: BrowserPcmRecorder;
    try {
      recorder = await BrowserPcmRecorder.open(SAMPLE_RATE);
    } catch (err) {
      return failed(describeMicrophoneError(err));
    }
    const conn = await ctx.connected();
    if (!conn.ok) {
      recorder.close();
      return failed(`Not connected to the camera: ${conn.why}`);
    }
    if (!held) return void recorder.close(); // released before the microphone opened
    status.textContent = 'Asking the camera…';
    const code = await ctx.p2p.startVoiceService(
      ctx.serviceId,
      recorder,
      { format: 'PCM', sampleRate: SAMPLE_RATE, numberOfChannels: 1, encodeBitRate: 16 },
      { onStop: () => (status.textContent = '') },
    );
    if (code !== 0) {
      recorder.close();
      return failed(describeTalkError(code, ctx.p2p.lastError(ctx.serviceId)));
    }
    const startedAt = performance.now();
    const timer = setInterval(() => {
      const seconds = recorder.bytes / 2 / SAMPLE_RATE;
      status.textContent = `Talking… ${seconds.toFixed(1)} s sent (${((performance.now() - startedAt) / 1000).toFixed(1)} s)`;
    }, 200);
    talking = { recorder, timer };
    status.dataset.state = 'talking';
    status.textContent = 'Talking…';
    if (!held) release(); // released while the camera was answering
  }

  function release(): void {
    held = false;
    button.classList.remove('active');
    if (!talking) return;
    const { recorder, timer } = talking;
    talking = undefined;
    clearInterval(timer);
    ctx.p2p.stopVoiceService(ctx.serviceId);
    recorder.close();
    status.dataset.state = 'stopped';
    status.textContent = `Sent ${(recorder.bytes / 2 / SAMPLE_RATE).toFixed(1)} s of audio`;
  }

  function failed(why: string): void {
    held = false;
    button.classList.remove('active');
    status.textContent = '';
    status.dataset.state = 'error';
    setMessage(message, why);
  }

  button.addEventListener('pointerdown', (ev) => {
    button.setPointerCapture(ev.pointerId); // the release arrives here even if the finger slides off
    void press();
  });
  for (const name of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) {
    button.addEventListener(name, () => release());
  }
  button.addEventListener('keydown', (ev) => {
    if ((ev.key === ' ' || ev.key === 'Enter') && !ev.repeat) {
      ev.preventDefault();
      void press();
    }
  });
  button.addEventListener('keyup', (ev) => {
    if (ev.key === ' ' || ev.key === 'Enter') release();
  });
  button.addEventListener('contextmenu', (ev) => ev.preventDefault()); // long-press menu on phones

  return { el, close: release };
}
