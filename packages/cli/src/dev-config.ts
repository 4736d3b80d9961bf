/** Reads the development config and credentials `xp2p demo`/`xp2p server` wrote, so other commands need no flags. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, readDevCredentials, type XP2PConfig } from '@xp2p/server';
import { UsageError } from './args.js';

export async function readDevConfig(dataDir: string): Promise<XP2PConfig> {
  const path = join(resolve(dataDir), 'config.json');
  if (!existsSync(path)) {
    throw new UsageError(
      `no config at ${path}: run \`npm start\` (xp2p demo) or \`xp2p server\` first, or pass --data DIR`,
    );
  }
  const config = await loadConfig(path);
  // apps and devices live in the accounts database; the demo's own credentials in dev-credentials.json
  const credentials = await readDevCredentials(resolve(dataDir));
  return credentials ? { ...config, apps: credentials.apps, devices: credentials.devices } : config;
}

export function appParamsFrom(config: XP2PConfig, serverUrl: string) {
  const app = config.apps[0];
  if (!app) throw new UsageError('the config has no app credentials');
  return { ...app, serverUrl };
}

export function deviceFrom(config: XP2PConfig, productId: string, deviceName: string) {
  const device = config.devices.find((d) => d.productId === productId && d.deviceName === deviceName);
  if (!device) throw new UsageError(`device ${productId}/${deviceName} is not in the config`);
  return device;
}

export function splitDeviceId(text: string | undefined): { productId: string; deviceName: string } {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(text ?? '');
  if (!m) throw new UsageError('name the camera as <productId>/<deviceName>, e.g. demo/cam1');
  return { productId: m[1] ?? '', deviceName: m[2] ?? '' };
}
