/**
 * The web app: sign in, cameras and live rooms, one camera, a camera's sharing page, one room. Routes live
 * in the URL hash (#/, #/camera/P/D, #/sharing/P/D, #/room/NAME, #/signin) so the static files need no
 * server-side routing. A signed-in browser holds a session cookie its scripts cannot read; the sdk signals
 * with short tickets fetched per socket. `xp2p demo`'s one-time link signs in and opens #/camera/demo/cam1.
 */
import { h, replace } from './dom.js';
import { describeApiError } from './errors.js';
import { initP2P, signedIn, signOutP2P } from './sdk.js';
import { cameraView } from './views/camera-view.js';
import { camerasView } from './views/cameras-view.js';
import { roomView } from './views/room-view.js';
import { roomsView } from './views/rooms-view.js';
import { sharingView } from './views/sharing-view.js';
import { signInView } from './views/sign-in-view.js';
import {
  currentSession,
  listCameras,
  onSessionEnded,
  serverUrl,
  signalTicket,
  signIn,
  signOut,
  xp2pInfoFor,
  type WebSession,
} from './web-api.js';

const root = document.getElementById('app')!;
const account = document.getElementById('account')!;
let current: { close(): void } | undefined;
let session: WebSession | undefined;

/** Starts the sdk for a signed-in session (tickets and xp2pInfo come from the server per need). */
async function startSession(s: WebSession): Promise<string | undefined> {
  try {
    await initP2P({
      appid: s.appid,
      serverUrl: serverUrl(),
      ticket: signalTicket,
      renewXp2pInfo: xp2pInfoFor,
    });
  } catch (err) {
    return `This browser cannot run the P2P client: ${err instanceof Error ? err.message : String(err)}`;
  }
  session = s;
  replace(
    account,
    h('span', { class: 'who', 'data-role': 'user' }, s.user),
    h('button', { type: 'button', onclick: () => void leave(), 'data-role': 'sign-out' }, 'Sign out'),
  );
  return undefined;
}

async function leave(): Promise<void> {
  signOutP2P();
  await signOut();
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

function showSignIn(error?: string): void {
  const view = signInView(async (name, password) => {
    let s: WebSession;
    try {
      s = await signIn(name, password);
    } catch (err) {
      return view.showError(describeApiError(err, 'Sign-in'));
    }
    const why = await startSession(s);
    if (why) return view.showError(why);
    location.hash = '#/';
    void route();
  });
  show({ el: view.el, close() {} });
  if (error) view.showError(error);
}

const cameraOf = (m: RegExpExecArray) => ({
  productId: decodeURIComponent(m[1]!),
  deviceName: decodeURIComponent(m[2]!),
});

async function route(): Promise<void> {
  const hash = location.hash.replace(/^#/, '') || '/';
  if (hash === '/signin') return showSignIn();
  if (!session) {
    let existing: WebSession | undefined;
    try {
      existing = await currentSession();
    } catch (err) {
      return showSignIn(describeApiError(err, 'Checking the sign-in'));
    }
    if (!existing) return showSignIn();
    const why = await startSession(existing);
    if (why) return showSignIn(why);
  }
  const p2p = signedIn();
  const cam = /^\/camera\/([^/]+)\/([^/]+)$/.exec(hash);
  const sharing = /^\/sharing\/([^/]+)\/([^/]+)$/.exec(hash);
  const room = /^\/room\/([^/]+)$/.exec(hash);
  if (cam) {
    const camera = cameraOf(cam);
    const role = (await listCameras().catch(() => [])).find(
      (c) => c.productId === camera.productId && c.deviceName === camera.deviceName,
    )?.role;
    show(cameraView(p2p, camera, role));
  } else if (sharing) {
    show(sharingView(cameraOf(sharing), session!.user));
  } else if (room) {
    show(roomView(p2p, decodeURIComponent(room[1]!)));
  } else {
    show(homeView(camerasView(), roomsView()));
  }
}

// the cookie expired (or the user was removed) while the page was open: back to the form, saying why
onSessionEnded(() => {
  if (!session) return;
  signOutP2P();
  session = undefined;
  replace(account);
  history.replaceState(null, '', '#/signin');
  showSignIn('Your sign-in has ended: sign in again.');
});
window.addEventListener('hashchange', () => void route());
window.addEventListener('pagehide', () => {
  current?.close();
  signOutP2P();
});
document.getElementById('server')!.textContent = serverUrl();
void route();
