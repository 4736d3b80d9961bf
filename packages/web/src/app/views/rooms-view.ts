/**
 * Live rooms: the server's 1vN streams (`GET /api/streams`) with live/ended and peer counts, refreshed
 * every few seconds, each opening `#/room/NAME`; and a box to open a room by name.
 */
import { h, replace, setMessage } from '../dom.js';
import { describeApiError } from '../errors.js';
import { listStreams, type StreamSummary } from '../streams-api.js';

const REFRESH_MS = 5000;

export const roomHash = (name: string): string => `#/room/${encodeURIComponent(name)}`;

export function roomsView(): { el: HTMLElement; close(): void } {
  const list = h('ul', { class: 'cameras rooms', 'data-role': 'rooms' });
  const message = h('div', { class: 'message', hidden: true });
  const nameInput = h('input', {
    type: 'text',
    name: 'room',
    placeholder: 'stream name',
    'aria-label': 'Stream name',
    autocomplete: 'off',
  });
  const form = h(
    'form',
    {
      class: 'row',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const name = nameInput.value.trim();
        if (name) location.hash = roomHash(name);
      },
    },
    nameInput,
    h('button', { type: 'submit' }, 'Open room'),
  );
  const el = h('section', { class: 'panel' }, h('h2', {}, 'Live rooms'), message, list, form);
  let closed = false;

  const item = (s: StreamSummary) =>
    h(
      'li',
      { class: s.live ? 'online' : 'offline', 'data-stream': s.stream },
      h('a', { href: roomHash(s.stream) }, s.stream),
      h('span', { class: 'badge' }, s.live ? 'live' : 'ended'),
      h('span', { class: 'viewers' }, `${s.peers} peer${s.peers === 1 ? '' : 's'}`),
      s.live && s.bitrateKbps > 0 ? h('span', { class: 'viewers' }, `${Math.round(s.bitrateKbps)} kbps`) : null,
    );

  async function refresh(): Promise<void> {
    try {
      const streams = await listStreams();
      if (closed) return;
      setMessage(message, '');
      replace(list, ...(streams.length ? streams.map(item) : [h('li', {}, 'No live streams right now.')]));
    } catch (err) {
      if (!closed) setMessage(message, describeApiError(err, 'Listing live rooms'));
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
