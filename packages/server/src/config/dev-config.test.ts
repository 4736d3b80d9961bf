import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import {
  createDevConfig,
  DEV_CREDENTIALS_FILE,
  ensureDevConfig,
  readDevCredentials,
  splitLegacyConfig,
} from './dev-config.js';
import { loadConfig } from './load-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureDevConfig', () => {
  it('creates a private config (settings only) and the demo credentials once, then returns the same', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = await ensureDevConfig(dataDir);
    expect(first.created).toBe(true);
    expect(first.path).toBe(join(dataDir, 'config.json'));
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, DEV_CREDENTIALS_FILE))).mode & 0o777).toBe(0o600);
    expect(first.config.server).toEqual({ host: '127.0.0.1', port: 18080, stunPort: 3478 });
    // the first start gets the demo app and device, to put into the accounts database
    expect(first.config.devices).toEqual([{ productId: 'demo', deviceName: 'cam1', secret: expect.any(String) }]);
    expect(first.config.devices[0]?.secret.length).toBeGreaterThanOrEqual(43); // 32 random bytes, base64url
    expect(first.config.apps[0]?.appid).toMatch(/^app-/);
    const onDisk = JSON.parse(await readFile(first.path, 'utf8')) as Record<string, unknown>;
    expect(onDisk.apps).toEqual([]);
    expect(onDisk.devices).toEqual([]);
    expect(await readDevCredentials(dataDir)).toEqual({ apps: first.config.apps, devices: first.config.devices });

    const second = await ensureDevConfig(dataDir);
    expect(second.created).toBe(false);
    expect(second.config).toEqual({ ...first.config, apps: [], devices: [] });
  });

  it("moves a legacy config's apps and devices out of config.json, keeping them for the client commands", async () => {
    const legacy = createDevConfig();
    await writeFile(join(dir, 'config.json'), JSON.stringify(legacy), { mode: 0o600 });
    const { config } = await ensureDevConfig(dir);
    expect(config.apps).toEqual(legacy.apps);
    expect(await splitLegacyConfig(dir, config)).toBe(true);
    expect((await ensureDevConfig(dir)).config).toEqual({ ...legacy, apps: [], devices: [] });
    expect(await readDevCredentials(dir)).toEqual({ apps: legacy.apps, devices: legacy.devices });
    expect(await splitLegacyConfig(dir, (await ensureDevConfig(dir)).config)).toBe(false);
  });

  it('gives every data dir its own secrets', async () => {
    const a = await ensureDevConfig(join(dir, 'a'));
    const b = await ensureDevConfig(join(dir, 'b'));
    expect(a.created && b.created).toBe(true);
    expect(a.config.devices[0]?.secret).not.toBe(b.config.devices[0]?.secret);
    expect(a.config.apps[0]?.appSecretKey).not.toBe(b.config.apps[0]?.appSecretKey);
  });

  it('refuses a broken file with an error naming it, and does not overwrite it', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, '{ not json');
    const err = await ensureDevConfig(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe('{ not json');
  });
});

describe('loadConfig', () => {
  it('names the file and the offending field of a config that does not match the schema', async () => {
    const { config, path } = await ensureDevConfig(dir);
    await writeFile(
      path,
      JSON.stringify({ ...config, devices: [{ productId: 'demo', deviceName: 'cam 1', secret: 'x' }] }),
    );
    await expect(loadConfig(path)).rejects.toThrow(new RegExp(`${path}: invalid config: devices\\.0\\.deviceName`));
  });

  it('refuses duplicate devices', async () => {
    const { config, path } = await ensureDevConfig(dir);
    await writeFile(path, JSON.stringify({ ...config, devices: [...config.devices, ...config.devices] }));
    await expect(loadConfig(path)).rejects.toThrow(/duplicate device "demo\/cam1"/);
  });

  it('says when the file is missing', async () => {
    await expect(loadConfig(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: cannot read config/);
  });
});
