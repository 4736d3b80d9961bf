/**
 * A camera's owner page: who holds which role, a form to share it with another user of the same app
 * (by name and role), a button per user to take the role away, and the camera's audit log (who watched,
 * talked, commanded, downloaded, shared; when; from where). The server checks that the user is an owner.
 */
import { cameraLabel, cameraPath, type CameraRef } from '../camera-context.js';
import { h, replace, setMessage } from '../dom.js';
import { ApiError } from '../sdk.js';
import { auditLog, listShares, share, unshare, type AuditEntry, type Role, type Share } from '../web-api.js';

const ROLES: readonly Role[] = ['viewer', 'operator', 'owner'];

export function sharingView(camera: CameraRef, me: string): { el: HTMLElement; close(): void } {
  const message = h('div', { class: 'message', hidden: true, 'data-role': 'sharing-message' });
  const shares = h('ul', { class: 'shares', 'data-role': 'shares' });
  const audit = h('tbody', { 'data-role': 'audit' });
  let closed = false;

  const shareRow = (s: Share) =>
    h(
      'li',
      { 'data-user': s.user },
      h('span', { class: 'who' }, s.user),
      h('span', { class: 'role' }, s.role),
      s.user !== me &&
        h(
          'button',
          { type: 'button', 'data-role': 'unshare', onclick: () => void act(() => unshare(camera, s.user), 'Unshare') },
          'Remove',
        ),
    );
  const auditRow = (e: AuditEntry) =>
    h(
      'tr',
      {},
      h('td', {}, new Date(e.at).toLocaleString()),
      h('td', {}, e.user ?? ''),
      h('td', {}, e.action),
      h('td', {}, e.detail ?? ''),
      h('td', {}, e.address ?? ''),
    );

  async function refresh(): Promise<void> {
    try {
      const [list, entries] = await Promise.all([listShares(camera), auditLog(camera)]);
      if (closed) return;
      replace(shares, ...list.map(shareRow));
      replace(audit, ...entries.map(auditRow));
    } catch (err) {
      if (!closed) setMessage(message, describeSharingError(err, 'Loading the sharing page'));
    }
  }

  async function act(run: () => Promise<void>, what: string): Promise<void> {
    try {
      await run();
      setMessage(message, `${what}: done`, 'ok');
    } catch (err) {
      setMessage(message, describeSharingError(err, what));
    }
    await refresh();
  }

  const form = h(
    'form',
    { class: 'row share-form', 'data-role': 'share-form' },
    h('input', { name: 'user', required: true, placeholder: 'user name', maxlength: 64, autocomplete: 'off' }),
    h('select', { name: 'role' }, ...ROLES.map((r) => h('option', { value: r }, r))),
    h('button', { type: 'submit' }, 'Share'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const user = String(data.get('user') ?? '').trim();
    const role = String(data.get('role') ?? 'viewer') as Role;
    void act(() => share(camera, user, role), `Share with ${user}`).then(() => form.reset());
  });

  void refresh();
  const el = h(
    'div',
    { class: 'sharing' },
    h(
      'div',
      { class: 'row title' },
      h('a', { href: `#/camera/${cameraPath(camera)}` }, '‹ Camera'),
      h('h2', {}, `Sharing ${cameraLabel(camera)}`),
    ),
    message,
    h('section', { class: 'panel' }, h('h3', {}, 'Who may use it'), shares, form),
    h(
      'section',
      { class: 'panel' },
      h('h3', {}, 'Audit log'),
      h(
        'table',
        { class: 'audit' },
        h('thead', {}, h('tr', {}, ...['When', 'User', 'Action', 'Detail', 'Address'].map((c) => h('th', {}, c)))),
        audit,
      ),
    ),
  );
  return {
    el,
    close() {
      closed = true;
    },
  };
}

/** "Share with bob: no user bob in this app (HTTP 404)": the server's words, which name what is wrong. */
function describeSharingError(err: unknown, what: string): string {
  if (err instanceof ApiError) {
    return err.status === 0
      ? `Cannot reach the server. ${err.message}`
      : `${what}: ${err.message} (HTTP ${err.status})`;
  }
  return `${what}: ${err instanceof Error ? err.message : String(err)}`;
}
