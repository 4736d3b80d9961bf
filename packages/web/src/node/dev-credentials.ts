/**
 * Development sign-in: `xp2p demo` writes the dev app credentials next to the built app, so the page it
 * prints signs in and opens the demo camera with no typing. A secret in a served file is acceptable only
 * for the local demo; a real deployment never calls this (the page then asks for credentials).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_CREDENTIALS_FILE = 'dev-credentials.json';

export interface DevCredentials {
  appid: string;
  appKey: string;
  appSecretKey: string;
  /** A camera the page opens at once, as "productId/deviceName" (the demo's "demo/cam1"). */
  openCamera?: string;
}

export function writeDevCredentials(
  dir: string,
  appParams: { appid: string; appKey: string; appSecretKey: string },
  options: { openCamera?: string } = {},
): string {
  const file = join(dir, DEV_CREDENTIALS_FILE);
  const body: DevCredentials = {
    appid: appParams.appid,
    appKey: appParams.appKey,
    appSecretKey: appParams.appSecretKey,
    ...(options.openCamera ? { openCamera: options.openCamera } : {}),
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** Removes the file again (the demo calls it on exit so a later production serve does not leak it). */
export function removeDevCredentials(dir: string): void {
  rmSync(join(dir, DEV_CREDENTIALS_FILE), { force: true });
}
