/**
 * The web app: sign in, cameras and live rooms, one camera, one room. Routes live in the URL hash
 * (#/, #/camera/P/D, #/room/NAME, #/signin)
 * so the static files need no server-side routing. A page opened with the demo's development
 * credentials signs itself in and opens the demo camera.
 */
import { listCameras } from './api.js';
import {
  forget,
  loadDevCredentials,
  loadStored,
  serverUrl,
  store,
  toAppParams,
  type StoredCredentials,
} from './credentials.js';
import { h, replace } from './dom.js';
import { describeApiError } from './errors.js';
import { initP2P, signedIn, signOutP2P } from './sdk.js';
import { cameraView } from './views/camera-view.js';
import { camerasView } from './views/cameras-view.js';
import { roomView } from './views/room-view.js';
import { roomsView } from './views/rooms-view.js';
import { signInView } from './views/sign-in-view.js';

const root = document.getElementById('app')!;
const account = document.getElementById('account')!;
let current: { close(): void } | undefined;
let session: StoredCredentials | undefined;

/** Checks the credentials against the server (a signed camera list), then starts the sdk with them. */
async function signIn(c: StoredCredentials): Promise<string | undefined> {
  try {
    await listCameras(toAppParams(c));
  } catch (err) {
    return describeApiError(err, 'Sign-in');
  }
  try {
    await initP2P(toAppParams(c));
  } catch (err) {
    return `This browser cannot run the P2P client: ${err instanceof Error ? err.message : String(err)}`;
  }
  session = c;
  replace(
    account,
    h('span', { class: 'who' }, c.appid),
    h('button', { type: 'button', onclick: signOut, 'data-role': 'sign-out' }, 'Sign out'),
  );
  return undefined;
}

function signOut(): void {
  forget();
  signOutP2P();
  session = undefined;
  replace(account);
  location.hash = '#/signin';
}

/** The main page: cameras, then live rooms. */
function homeView(...parts: { el: HTMLElement; close(): void }[]): { el: HTMLElement; close(): void } {
  return {
    el: h('div', { class: 'home' }, ...parts.map((p) => p.el)),
    close: () => parts.forEach((p) => p.close()),
  };
}

function show(view: { el: HTMLElement; close(): void }): void {
  current?.close();
  current = view;
  replace(root, view.el);
}

async function showSignIn(error?: string): Promise<void> {
  const dev = await loadDevCredentials();
  const view = signInView(loadStored() ?? dev ?? {}, async (c) => {
    const why = await signIn(c);
    if (why) return view.showError(why);
    store(c);
    location.hash = '#/';
    void route();
  });
  show({ el: view.el, close() {} });
  if (error) view.showError(error);
}

async function route(): Promise<void> {
  const hash = location.hash.replace(/^#/, '') || '/';
  if (hash === '/signin') return showSignIn();
  if (!session) {
    const saved = loadStored();
    const dev = saved ? undefined : await loadDevCredentials();
    const creds = saved ?? dev;
    if (!creds) return showSignIn();
    const why = await signIn(creds);
    if (why) return showSignIn(why);
    if (dev?.openCamera && hash === '/') {
      location.replace(`#/camera/${dev.openCamera}`);
      return; // hashchange routes to it
    }
  }
  const { app, p2p } = signedIn();
  const cam = /^\/camera\/([^/]+)\/([^/]+)$/.exec(hash);
  const room = /^\/room\/([^/]+)$/.exec(hash);
  if (cam) {
    show(cameraView(app, p2p, { productId: decodeURIComponent(cam[1]!), deviceName: decodeURIComponent(cam[2]!) }));
  } else if (room) {
    show(roomView(p2p, decodeURIComponent(room[1]!)));
  } else {
    show(homeView(camerasView(app), roomsView()));
  }
}

window.addEventListener('hashchange', () => void route());
window.addEventListener('pagehide', () => {
  current?.close();
  signOutP2P();
});
document.getElementById('server')!.textContent = serverUrl();
void route();
