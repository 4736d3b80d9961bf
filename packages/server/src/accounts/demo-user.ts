/**
 * The demo's web user (`npm start`): on a development data directory's first start, a user `demo` of the
 * demo app who owns demo/cam1, with a random password kept only in `.xp2p/dev-credentials.json` (mode
 * 0600, never served). `xp2p demo` and `xp2p server` then print a one-time sign-in link for it, so the page
 * plays the demo camera with no typing and without the browser ever holding the app secret.
 */
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountError } from './account-errors.js';
import type { AccountStore } from './account-store.js';
import { DEV_CREDENTIALS_FILE, readDevCredentials } from '../config/dev-config.js';

/** the demo web user's name */
export const DEMO_USER = 'demo';
/** what the demo user owns and the printed link opens */
export const DEMO_CAMERA = { productId: 'demo', deviceName: 'cam1' } as const;

/**
 * Creates the demo user on a development data directory where it does not exist yet; returns its name,
 * or undefined when the directory has no demo app (an operator's own config).
 */
export async function ensureDemoUser(accounts: AccountStore, dataDir: string): Promise<string | undefined> {
  const credentials = await readDevCredentials(dataDir);
  const app = credentials?.apps[0];
  if (!credentials || !app) return undefined;
  const existing = await accounts.user(DEMO_USER);
  if (existing) return existing.appid === app.appid ? DEMO_USER : undefined;
  const password = randomBytes(18).toString('base64url');
  try {
    await accounts.addUser(app.appid, DEMO_USER, password);
  } catch (err) {
    // another node on the same PostgreSQL made it first: theirs stands (its password is in their data dir)
    if (err instanceof AccountError && err.kind === 'exists') return DEMO_USER;
    throw err;
  }
  const camera = await accounts.device(DEMO_CAMERA.productId, DEMO_CAMERA.deviceName);
  if (camera?.appid === app.appid) {
    await accounts.share(DEMO_CAMERA.productId, DEMO_CAMERA.deviceName, DEMO_USER, 'owner');
  }
  const file = join(dataDir, DEV_CREDENTIALS_FILE);
  const users = [...(credentials.users ?? []).filter((u) => u.name !== DEMO_USER), { name: DEMO_USER, password }];
  await writeFile(`${file}.tmp`, `${JSON.stringify({ ...credentials, users }, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return DEMO_USER;
}
