/**
 * A month grid from `get_month_record`'s bitmask (bit d-1 set = UTC day d has video). Days are UTC, as
 * the camera reports them; days without video are disabled.
 */
import { h } from '../dom.js';

export interface CalendarOptions {
  year: number;
  /** 1..12 */
  month: number;
  days: number;
  onPick: (day: number) => void;
  selected?: number;
}

export function calendar(o: CalendarOptions): HTMLElement {
  const first = new Date(Date.UTC(o.year, o.month - 1, 1));
  const count = new Date(Date.UTC(o.year, o.month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // weeks start on Monday
  const cells: HTMLElement[] = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'].map((d) => h('span', { class: 'dow' }, d));
  for (let i = 0; i < lead; i++) cells.push(h('span'));
  for (let day = 1; day <= count; day++) {
    const has = (o.days & (1 << (day - 1))) !== 0;
    cells.push(
      h(
        'button',
        {
          type: 'button',
          class: `day${has ? ' has-video' : ''}${o.selected === day ? ' selected' : ''}`,
          disabled: !has,
          'data-day': day,
          'aria-label': `${o.year}-${String(o.month).padStart(2, '0')}-${String(day).padStart(2, '0')}${has ? ', has video' : ''}`,
          onclick: () => o.onPick(day),
        },
        day,
      ),
    );
  }
  return h('div', { class: 'calendar' }, ...cells);
}

/** Contiguous recordings merged into ranges a person can pick. */
export function mergeRanges(
  list: { start_time: number; end_time: number }[],
  gapS = 2,
): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const r of [...list].sort((a, b) => a.start_time - b.start_time)) {
    const last = out[out.length - 1];
    if (last && r.start_time <= last.end + gapS) last.end = Math.max(last.end, r.end_time);
    else out.push({ start: r.start_time, end: r.end_time });
  }
  return out;
}

export const clock = (unixS: number): string => new Date(unixS * 1000).toISOString().slice(11, 19);
