/** Starts the whole system as separate processes: `xp2p server` and `xp2p device`, on loopback, port 0. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, start, type RunningProcess } from './processes.js';

export interface DevConfig {
  apps: { appid: string; appKey: string; appSecretKey: string }[];
  devices: { productId: string; deviceName: string; secret: string }[];
}

export interface TestSystem {
  dataDir: string;
  serverUrl: string;
  server: RunningProcess;
  config: DevConfig;
  appParams: { appid: string; appKey: string; appSecretKey: string };
  startDevice(extra?: string[]): Promise<RunningProcess>;
  cleanup(): void;
}

export interface SystemOptions {
  /** More `xp2p server` flags (e.g. --tls-cert/--tls-key, --web-root). */
  serverArgs?: string[];
  /** Environment of the server and of every device (e.g. NODE_EXTRA_CA_CERTS for a private CA). */
  env?: Record<string, string>;
}

export async function startSystem(o: SystemOptions = {}): Promise<TestSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xp2p-e2e-'));
  const env = o.env ?? {};
  const server = start([CLI, 'server', '--data', dataDir, '--port', '0', '--stun-port', '0', ...(o.serverArgs ?? [])], {
    env,
  });
  // a fresh data directory creates its accounts database first (seconds on a loaded machine)
  const m = await server.waitForLine(/^server: (https?:\/\/\S+)/, 60_000);
  const serverUrl = m[1] ?? '';
  // the demo app's and camera's credentials (the server keeps them in its accounts database)
  const config = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as DevConfig;
  const app = config.apps[0]!;
  return {
    dataDir,
    serverUrl,
    server,
    config,
    appParams: { appid: app.appid, appKey: app.appKey, appSecretKey: app.appSecretKey },
    async startDevice(extra = []) {
      const device = start([CLI, 'device', '--server', serverUrl, '--data', dataDir, ...extra], { env });
      await device.waitForLine(/^device: .* online/);
      return device;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
