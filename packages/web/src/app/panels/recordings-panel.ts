/** Recordings by day: a month calendar from `get_month_record`, the day's ranges, and playback of one. */
import type { CameraContext, Panel } from '../camera-context.js';
import { h, replace, setMessage } from '../dom.js';
import { describeCode } from '../errors.js';
import { innerCommand } from '../stream-urls.js';
import { calendar, clock, mergeRanges } from './calendar.js';
import { playbackPlayer } from './playback-player.js';

export function recordingsPanel(ctx: CameraContext): Panel {
  const today = new Date();
  let year = today.getUTCFullYear();
  let month = today.getUTCMonth() + 1;
  const title = h('strong', { class: 'month' });
  const grid = h('div');
  const ranges = h('ul', { class: 'ranges', 'data-role': 'ranges' });
  const player = h('div');
  const message = h('div', { class: 'message', hidden: true });
  let playing: Panel | undefined;
  let closed = false;

  const ask = async <T>(cmd: string): Promise<T | undefined> => {
    const conn = await ctx.connected();
    if (!conn.ok) {
      setMessage(message, `Not connected to the camera: ${conn.why}`);
      return undefined;
    }
    const r = await ctx.p2p.sendCommand(ctx.serviceId, innerCommand(cmd));
    if (closed) return undefined;
    if (r.type !== 'success') {
      setMessage(
        message,
        r.type === 'error'
          ? describeCode(r.errcode, r.errmsg)
          : `the camera answered ${r.status}: ${r.data || r.errmsg}`,
      );
      return undefined;
    }
    setMessage(message, '');
    return JSON.parse(r.data) as T;
  };

  async function showMonth(selected?: number): Promise<void> {
    title.textContent = `${year}-${String(month).padStart(2, '0')}`;
    const answer = await ask<{ days: number }>(`get_month_record&time=${year}${String(month).padStart(2, '0')}`);
    replace(grid, calendar({ year, month, days: answer?.days ?? 0, selected, onPick: (d) => void showDay(d) }));
  }

  async function showDay(day: number): Promise<void> {
    void showMonth(day);
    const start = Date.UTC(year, month - 1, day) / 1000;
    const answer = await ask<{ video_list: { start_time: number; end_time: number }[] }>(
      `get_record_index&start_time=${start}&end_time=${start + 86400}`,
    );
    const list = mergeRanges(answer?.video_list ?? []);
    replace(
      ranges,
      ...(list.length === 0
        ? [h('li', {}, 'No recordings this day.')]
        : list.map((r) =>
            h(
              'li',
              {},
              h('button', { type: 'button', onclick: () => play(r) }, `${clock(r.start)} – ${clock(r.end)} UTC`),
            ),
          )),
    );
  }

  function play(range: { start: number; end: number }): void {
    playing?.close();
    playing = playbackPlayer(ctx, range);
    replace(player, playing.el);
  }

  const move = (by: number) => {
    const index = year * 12 + (month - 1) + by;
    year = Math.floor(index / 12);
    month = (index % 12) + 1;
    void showMonth();
  };
  const el = h(
    'section',
    { class: 'panel' },
    h(
      'div',
      { class: 'row month-nav' },
      h('button', { type: 'button', 'aria-label': 'previous month', onclick: () => move(-1) }, '‹'),
      title,
      h('button', { type: 'button', 'aria-label': 'next month', onclick: () => move(1) }, '›'),
    ),
    grid,
    message,
    ranges,
    player,
  );
  let shown = false;
  return {
    el,
    /** Loads the month the first time the panel is shown (no commands for a panel nobody opens). */
    show() {
      if (shown) return;
      shown = true;
      void showMonth();
    },
    close() {
      closed = true;
      playing?.close();
    },
  };
}
