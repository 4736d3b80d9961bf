/** Sign in with the app's credentials (the guide's appParams); checked against the server before use. */
import type { StoredCredentials } from '../credentials.js';
import { h, setMessage } from '../dom.js';

export interface SignInView {
  el: HTMLElement;
  showError(text: string): void;
}

export function signInView(
  prefill: Partial<StoredCredentials>,
  onSubmit: (c: StoredCredentials) => Promise<void>,
): SignInView {
  const field = (name: keyof StoredCredentials, label: string, type = 'text') =>
    h(
      'label',
      {},
      label,
      h('input', { name, type, required: true, autocomplete: 'off', spellcheck: 'false', value: prefill[name] ?? '' }),
    );
  const message = h('div', { class: 'message', hidden: true, 'data-role': 'signin-message' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'panel signin' },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'hint' }, 'Your app credentials from the server config (apps[]).'),
    field('appid', 'App id'),
    field('appKey', 'App key'),
    field('appSecretKey', 'App secret', 'password'),
    submit,
    message,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const get = (k: string) => String(data.get(k) ?? '').trim();
    submit.disabled = true;
    setMessage(message, 'Signing in…', 'info');
    onSubmit({ appid: get('appid'), appKey: get('appKey'), appSecretKey: get('appSecretKey') }).finally(() => {
      submit.disabled = false;
    });
  });
  return { el: form, showError: (text) => setMessage(message, text) };
}
