/** Sign in with a user name and password (a user of the accounts database: `xp2p user add`). */
import { h, setMessage } from '../dom.js';

export interface SignInView {
  el: HTMLElement;
  showError(text: string): void;
}

export function signInView(onSubmit: (name: string, password: string) => Promise<void>): SignInView {
  const field = (name: string, label: string, type: string, autocomplete: string) =>
    h(
      'label',
      {},
      label,
      h('input', { name, type, required: true, autocomplete, spellcheck: 'false', maxlength: 256 }),
    );
  const message = h('div', { class: 'message', hidden: true, 'data-role': 'signin-message' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'panel signin' },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'hint' }, 'Your user name and password (an operator creates users with xp2p user add).'),
    field('name', 'User name', 'text', 'username'),
    field('password', 'Password', 'password', 'current-password'),
    submit,
    message,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const get = (k: string) => String(data.get(k) ?? '');
    submit.disabled = true;
    setMessage(message, 'Signing in…', 'info');
    onSubmit(get('name').trim(), get('password')).finally(() => {
      submit.disabled = false;
    });
  });
  return { el: form, showError: (text) => setMessage(message, text) };
}
