/** Commands: the built-in ones as buttons, any custom command as text; the camera's answer shown as is. */
import { DEFAULT_LIVE_QUALITY } from '@xp2p/protocol';
import type { CameraContext, Panel } from '../camera-context.js';
import { h } from '../dom.js';
import { describeCode } from '../errors.js';
import { innerCommand } from '../stream-urls.js';

const now = () => Math.floor(Date.now() / 1000);
const thisMonth = () => new Date().toISOString().slice(0, 7).replace('-', '');

const BUILT_IN: { label: string; command: () => string }[] = [
  { label: 'Device status', command: () => innerCommand(`get_device_st&type=live&quality=${DEFAULT_LIVE_QUALITY}`) },
  { label: 'Talk status', command: () => innerCommand('get_device_st&type=voice') },
  {
    label: 'Recordings (last hour)',
    command: () => innerCommand(`get_record_index&start_time=${now() - 3600}&end_time=${now() + 60}`),
  },
  { label: 'Days with video', command: () => innerCommand(`get_month_record&time=${thisMonth()}`) },
  { label: 'Files', command: () => innerCommand(`get_file_list&start_time=0&end_time=${now() + 60}&file_type=1`) },
];

export function commandsPanel(ctx: CameraContext): Panel {
  const output = h('pre', { class: 'output', 'data-role': 'command-output' }, 'Answers appear here.');
  const custom = h('input', {
    type: 'text',
    placeholder: 'custom command, e.g. ptz_left',
    'aria-label': 'custom command',
  });
  let closed = false;

  async function run(command: string): Promise<void> {
    output.textContent = `→ ${command}\n…`;
    const conn = await ctx.connected();
    if (!conn.ok) {
      output.textContent = `→ ${command}\nNot connected to the camera: ${conn.why}`;
      return;
    }
    const r = await ctx.p2p.sendCommand(ctx.serviceId, command);
    if (closed) return;
    let body = r.data;
    try {
      body = JSON.stringify(JSON.parse(r.data), null, 2);
    } catch {
      /* not JSON: show the text */
    }
    const head =
      r.type === 'success'
        ? `${r.status} OK`
        : r.type === 'error'
          ? describeCode(r.errcode, r.errmsg)
          : r.type === 'timeout'
            ? `no answer in time (${r.errmsg})`
            : `camera refused (${r.status})`;
    output.textContent = `→ ${command}\n${head}\n${body}`;
  }

  const buttons = BUILT_IN.map((b) => h('button', { type: 'button', onclick: () => void run(b.command()) }, b.label));
  const form = h(
    'form',
    {
      class: 'row',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        if (custom.value.trim()) void run(custom.value.trim());
      },
    },
    custom,
    h('button', { type: 'submit' }, 'Send'),
  );
  const el = h('section', { class: 'panel' }, h('div', { class: 'buttons' }, ...buttons), form, output);
  return {
    el,
    close: () => {
      closed = true;
    },
  };
}
