/** The app's cameras: online or offline and how many viewers each has, refreshed every few seconds. */
import { listCameras, type CameraStatus } from '../api.js';
import { h, replace, setMessage } from '../dom.js';
import { describeApiError } from '../errors.js';
import type { AppParams } from '../sdk.js';

const REFRESH_MS = 5000;

export function camerasView(app: AppParams): { el: HTMLElement; close(): void } {
  const list = h('ul', { class: 'cameras', 'data-role': 'cameras' });
  const message = h('div', { class: 'message', hidden: true });
  const el = h('section', { class: 'panel' }, h('h2', {}, 'Cameras'), message, list);
  let closed = false;

  const item = (c: CameraStatus) =>
    h(
      'li',
      { class: c.online ? 'online' : 'offline' },
      h(
        'a',
        { href: `#/camera/${encodeURIComponent(c.productId)}/${encodeURIComponent(c.deviceName)}` },
        `${c.productId}/${c.deviceName}`,
      ),
      h('span', { class: 'badge' }, c.online ? 'online' : 'offline'),
      h('span', { class: 'viewers' }, `${c.viewers} viewer${c.viewers === 1 ? '' : 's'}`),
    );

  async function refresh(): Promise<void> {
    try {
      const cameras = await listCameras(app);
      if (closed) return;
      setMessage(message, '');
      replace(list, ...(cameras.length ? cameras.map(item) : [h('li', {}, 'No cameras in the server config.')]));
    } catch (err) {
      if (!closed) setMessage(message, describeApiError(err, 'Listing cameras'));
    }
  }
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  return {
    el,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
