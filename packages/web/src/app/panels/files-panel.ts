/**
 * Files on the camera (`get_file_list`): other files or recording segments, each downloadable over P2P
 * with a progress bar, then saved through the browser. One download at a time (the sdk's rule per service).
 */
import type { CameraContext, Panel } from '../camera-context.js';
import { h, replace, setMessage } from '../dom.js';
import { describeCode } from '../errors.js';
import { saveFile } from '../save-file.js';
import { innerCommand } from '../stream-urls.js';

interface CameraFile {
  file_name: string;
  file_size: number;
}

const size = (n: number) =>
  n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} B`;

export function filesPanel(ctx: CameraContext): Panel {
  const kind = h(
    'select',
    { 'aria-label': 'file type', onchange: () => void load() },
    h('option', { value: '1' }, 'Files'),
    h('option', { value: '0' }, 'Recording segments'),
  );
  const list = h('ul', { class: 'files', 'data-role': 'files' });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'data-role': 'download-progress' });
  const status = h('div', { class: 'download-status', 'data-role': 'download-status' });
  const message = h('div', { class: 'message', hidden: true });
  const el = h(
    'section',
    { class: 'panel' },
    h('div', { class: 'row' }, kind, h('button', { type: 'button', onclick: () => void load() }, 'Refresh')),
    list,
    progress,
    status,
    message,
  );
  let busy = false;
  let closed = false;

  async function load(): Promise<void> {
    const conn = await ctx.connected();
    if (!conn.ok) return setMessage(message, `Not connected to the camera: ${conn.why}`);
    const now = Math.floor(Date.now() / 1000);
    const r = await ctx.p2p.sendCommand(
      ctx.serviceId,
      innerCommand(`get_file_list&start_time=0&end_time=${now + 60}&file_type=${kind.value}`),
    );
    if (closed) return;
    if (r.type !== 'success') {
      return setMessage(
        message,
        r.type === 'error' ? describeCode(r.errcode, r.errmsg) : `the camera answered ${r.status}`,
      );
    }
    setMessage(message, '');
    const files = (JSON.parse(r.data) as { file_list?: CameraFile[] }).file_list ?? [];
    replace(
      list,
      ...(files.length === 0
        ? [h('li', {}, 'No files.')]
        : files.map((f) =>
            h(
              'li',
              {},
              h('span', { class: 'name' }, f.file_name),
              h('span', { class: 'size' }, size(f.file_size)),
              h('button', { type: 'button', 'data-file': f.file_name, onclick: () => void download(f) }, 'Download'),
            ),
          )),
    );
  }

  async function download(file: CameraFile): Promise<void> {
    if (busy) return setMessage(message, 'A download is already running; wait for it to finish.', 'info');
    busy = true;
    setMessage(message, '');
    const chunks: ArrayBuffer[] = [];
    let received = 0;
    let total = file.file_size;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = `Downloading ${file.file_name}…`;
    delete status.dataset.state;
    const done = (ok: boolean, text: string) => {
      busy = false;
      status.dataset.state = ok ? 'done' : 'failed';
      status.textContent = text;
      if (!ok) setMessage(message, text);
    };
    const code = await ctx.p2p.startLocalDownload(
      ctx.serviceId,
      { urlParams: `channel=0&file_name=${encodeURIComponent(file.file_name)}&offset=0` },
      {
        onHeadersReceived: (res) => {
          const length = Number(res?.headers['content-length']);
          if (Number.isFinite(length) && length > 0) total = length;
        },
        onReceiveChunk: (data) => {
          chunks.push(data.slice(0));
          received += data.byteLength;
          progress.value = total > 0 ? received / total : 0;
          status.textContent = `Downloading ${file.file_name}: ${size(received)} of ${size(total)}`;
        },
        onSuccess: () => {
          progress.value = 1;
          saveFile(file.file_name, chunks);
          done(true, `Saved ${file.file_name} (${size(received)})`);
        },
        onFailure: (res) => done(false, describeCode(res?.errcode ?? -2701, res?.errmsg)),
        onError: (res) => done(false, describeCode(res?.errcode ?? -2701, res?.errmsg)),
        onComplete: () => {
          busy = false;
        },
      },
    );
    if (code !== 0 && status.dataset.state === undefined)
      done(false, describeCode(code, ctx.p2p.lastError(ctx.serviceId)));
  }

  let shown = false;
  return {
    el,
    show() {
      if (shown) return;
      shown = true;
      void load();
    },
    close() {
      closed = true;
      ctx.p2p.stopLocalDownload(ctx.serviceId);
    },
  };
}
