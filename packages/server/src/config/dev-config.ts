/**
 * A ready-to-run development data directory: `config.json` with server settings only, and
 * `dev-credentials.json` with the demo app's credentials and the demo camera's secret, which the client
 * commands (`xp2p device`, `play`, `cmd` …) read so they need no flags. Both are written once with mode
 * 0600 inside a 0700 directory and reused afterwards; the accounts database is where the server keeps apps
 * and devices (the credentials file is a copy for the demo's own programs, never served).
 *
 * A data directory from before the accounts database has its apps and devices in config.json: they are
 * imported into the database on the first start, then moved out (splitLegacyConfig).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomId } from '@xp2p/protocol';
import { loadConfig } from './load-config.js';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { appConfigSchema, deviceConfigSchema, type AppConfig, type DeviceConfig, type XP2PConfig } from './schema.js';

const devCredentialsSchema = z.object({
  apps: z.array(appConfigSchema).max(1000),
  devices: z.array(deviceConfigSchema).max(1000),
  /** the demo's web user and its password (config/demo-user.ts) */
  users: z
    .array(z.object({ name: z.string().min(1).max(64), password: z.string().min(8).max(256) }))
    .max(100)
    .optional(),
});

/** File name of the server settings inside the data directory. */
export const DEV_CONFIG_FILE = 'config.json';
/** File name of the demo app's and camera's credentials (for the client commands) inside the data directory. */
export const DEV_CREDENTIALS_FILE = 'dev-credentials.json';

/** The demo app and camera credentials `xp2p server` writes to `.xp2p/dev-credentials.json` on first start. */
export interface DevCredentials {
  apps: AppConfig[];
  devices: DeviceConfig[];
  /** the demo's web user (`demo`, owner of demo/cam1) and its password, written on first start */
  users?: { name: string; password: string }[];
}

/** A config with one app and one device (demo/cam1), random secrets: what a fresh data directory starts with. */
export function createDevConfig(): XP2PConfig {
  return {
    version: 1,
    server: { host: '127.0.0.1', port: 18080, stunPort: 3478 },
    apps: [
      {
        appid: `app-${randomId(6)}`,
        appOauthId: `oauth-${randomId(6)}`,
        appKey: randomId(16),
        appSecretKey: randomId(32),
        appPackage: 'dev.xp2p.demo',
      },
    ],
    devices: [{ productId: 'demo', deviceName: 'cam1', secret: randomId(32) }],
    publishKey: randomId(32),
  };
}

const settingsOnly = (config: XP2PConfig): XP2PConfig => ({ ...config, apps: [], devices: [] });
const fileText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The data directory's config. `config.apps`/`config.devices` are non-empty only when they still have to go
 * into the database: on creation, and for a data directory from before the accounts database.
 */
export async function ensureDevConfig(
  dataDir: string,
): Promise<{ config: XP2PConfig; path: string; created: boolean }> {
  const path = join(dataDir, DEV_CONFIG_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const config = createDevConfig();
  try {
    // 'wx' fails if the file exists, so two concurrent first runs cannot overwrite each other's secrets.
    await writeFile(path, fileText(settingsOnly(config)), { mode: 0o600, flag: 'wx' });
    await writeFile(join(dataDir, DEV_CREDENTIALS_FILE), fileText({ apps: config.apps, devices: config.devices }), {
      mode: 0o600,
    });
    return { config, path, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { config: await loadConfig(path), path, created: false };
}

/**
 * After the server imported a legacy config's apps and devices into the database: keeps them for the
 * client commands in dev-credentials.json and rewrites config.json with server settings only. Atomic
 * renames, so a crash leaves either the old or the new file, never half of one.
 */
export async function splitLegacyConfig(dataDir: string, config: XP2PConfig): Promise<boolean> {
  if (config.apps.length === 0 && config.devices.length === 0) return false;
  const credentials = join(dataDir, DEV_CREDENTIALS_FILE);
  if (!existsSync(credentials)) {
    await writeFile(`${credentials}.tmp`, fileText({ apps: config.apps, devices: config.devices }), { mode: 0o600 });
    await rename(`${credentials}.tmp`, credentials);
  }
  const path = join(dataDir, DEV_CONFIG_FILE);
  await writeFile(`${path}.tmp`, fileText(settingsOnly(config)), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return true;
}

/** The demo's credentials, for the client commands; undefined when the data directory has none. */
export async function readDevCredentials(dataDir: string): Promise<DevCredentials | undefined> {
  const path = join(dataDir, DEV_CREDENTIALS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed;
  try {
    parsed = devCredentialsSchema.safeParse(JSON.parse(text));
  } catch {
    throw new ConfigError('not valid JSON', path);
  }
  if (!parsed.success) throw new ConfigError(`invalid credentials: ${parsed.error.issues[0]?.message ?? ''}`, path);
  return parsed.data;
}
