/**
 * Where the app's credentials come from: what the user typed (kept in this browser's localStorage until
 * sign-out), else the development file `xp2p demo` writes next to the app (absent in a real deployment).
 * The signalling server is this page's origin unless `?server=URL` says otherwise.
 */
import type { AppParams } from './sdk.js';

const STORAGE_KEY = 'xp2p.app';

export interface StoredCredentials {
  appid: string;
  appKey: string;
  appSecretKey: string;
}

export interface DevCredentials extends StoredCredentials {
  openCamera?: string;
}

export function serverUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get('server');
  return (fromQuery && /^https?:\/\//.test(fromQuery) ? fromQuery : location.origin).replace(/\/$/, '');
}

export function toAppParams(c: StoredCredentials): AppParams {
  return { appid: c.appid, appKey: c.appKey, appSecretKey: c.appSecretKey, serverUrl: serverUrl() };
}

export function loadStored(): StoredCredentials | undefined {
  try {
    const c = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredCredentials | null;
    return c && c.appKey && c.appSecretKey ? c : undefined;
  } catch {
    return undefined;
  }
}

export function store(c: StoredCredentials): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ appid: c.appid, appKey: c.appKey, appSecretKey: c.appSecretKey }));
}

export function forget(): void {
  localStorage.removeItem(STORAGE_KEY);
}

/** The demo's development credentials, or undefined when this deployment has none. */
export async function loadDevCredentials(): Promise<DevCredentials | undefined> {
  try {
    const res = await fetch('dev-credentials.json', { cache: 'no-store' });
    if (!res.ok) return undefined;
    const c = (await res.json()) as DevCredentials;
    return c.appKey && c.appSecretKey ? c : undefined;
  } catch {
    return undefined;
  }
}
