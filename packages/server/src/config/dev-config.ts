/**
 * A ready-to-run development config: one app, one device (demo/cam1), random secrets. Written once with
 * mode 0600 (it holds secrets) and reused afterwards so paired devices and apps keep working.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomId } from '@xp2p/protocol';
import { loadConfig } from './load-config.js';
import type { XP2PConfig } from './schema.js';

/** File name of the development config inside the data directory. */
export const DEV_CONFIG_FILE = 'config.json';

/** A development config: random app credentials, one camera (demo/cam1) with a random secret, a publish key. */
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

/** Reads `DIR/config.json`, or writes a new development config there (0600) the first time. */
export async function ensureDevConfig(
  dataDir: string,
): Promise<{ config: XP2PConfig; path: string; created: boolean }> {
  const path = join(dataDir, DEV_CONFIG_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const config = createDevConfig();
  try {
    // 'wx' fails if the file exists, so two concurrent first runs cannot overwrite each other's secrets.
    await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { config, path, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { config: await loadConfig(path), path, created: false };
}
