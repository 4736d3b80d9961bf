/**
 * The cameras shared with the signed-in user: online or offline, viewers, the user's role, and (owners)
 * a link to the camera's sharing and audit page. Refreshed every few seconds.
 */
import { cameraLabel, cameraPath } from '../camera-context.js';
import { h, replace, setMessage } from '../dom.js';
import { describeApiError } from '../errors.js';
import { listCameras, type CameraStatus } from '../web-api.js';

const REFRESH_MS = 5000;

export function camerasView(): { el: HTMLElement; close(): void } {
  const list = h('ul', { class: 'cameras', 'data-role': 'cameras' });
  const message = h('div', { class: 'message', hidden: true });
  const el = h('section', { class: 'panel' }, h('h2', {}, 'Cameras'), message, list);
  let closed = false;

  const item = (c: CameraStatus) =>
    h(
      'li',
      { class: c.online ? 'online' : 'offline' },
      h('a', { href: `#/camera/${cameraPath(c)}` }, cameraLabel(c)),
      h('span', { class: 'badge' }, c.online ? 'online' : 'offline'),
      h('span', { class: 'viewers' }, `${c.viewers} viewer${c.viewers === 1 ? '' : 's'}`),
      h('span', { class: 'role', 'data-role': 'camera-role' }, c.role),
      c.role === 'owner' && h('a', { class: 'sharing', href: `#/sharing/${cameraPath(c)}` }, 'Sharing'),
    );

  async function refresh(): Promise<void> {
    try {
      const cameras = await listCameras();
      if (closed) return;
      setMessage(message, '');
      replace(list, ...(cameras.length ? cameras.map(item) : [h('li', {}, 'No camera is shared with you yet.')]));
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
