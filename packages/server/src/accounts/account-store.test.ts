/**
 * The accounts store on both engines it runs on: embedded PGlite and a real PostgreSQL started for this
 * file. Same schema, same migrations, same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { MIGRATIONS, migrate } from '../db/migrations.js';
import { openDatabase } from '../db/open-database.js';
import { startPostgres, type PostgresProcess } from '@xp2p/testing';
import { AccountError } from './account-errors.js';
import { AccountStore } from './account-store.js';
import { AuditLog } from './audit-log.js';
import { importConfigAccounts } from './import-config.js';

let postgres: PostgresProcess | undefined;
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

const engines: [string, () => Promise<Database>][] = [
  ['embedded', () => openDatabase({})],
  ['postgres', () => openDatabase({ url: postgres!.url })],
];

describe.each(engines)('accounts on %s', (_engine, open) => {
  let db: Database;
  let store: AccountStore;
  beforeAll(async () => {
    db = await open();
    store = new AccountStore(db);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('migrates once: a second run applies nothing', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ id: number }>('select id from schema_migrations order by id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('keeps one owner per stream, and forgets it with the app', async () => {
    const a = await store.addApp('Streams A');
    const b = await store.addApp('Streams B');
    const name = `live-${a.appid}`.slice(0, 64);
    expect(await store.streams.owner(name)).toBeUndefined();
    expect(await store.streams.add(name, a.appid)).toEqual({ stream: name, appid: a.appid });
    await expect(store.streams.add(name, b.appid)).rejects.toMatchObject({ kind: 'exists' });
    await expect(store.streams.add('no/slash', a.appid)).rejects.toMatchObject({ kind: 'invalid' });
    await expect(store.streams.add('other', 'no-such-app')).rejects.toMatchObject({ kind: 'not-found' });
    expect(await store.streams.owner(name)).toBe(a.appid);
    expect(await store.streams.list(b.appid)).toEqual([]);
    expect(await store.streams.list(a.appid)).toEqual([{ stream: name, appid: a.appid }]);
    await db.query('delete from apps where appid = $1', [a.appid]);
    expect(await store.streams.owner(name)).toBeUndefined();
    await expect(store.streams.remove(name)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('keeps apps, devices, users and roles, and refuses what crosses tenants', async () => {
    const a = await store.addApp('Acme');
    const b = await store.addApp('Beta');
    expect(await store.appByKey(a.appKey)).toEqual(a);
    const cam = await store.addDevice(a.appid, { productId: 'acme', deviceName: `cam-${a.appid}` });
    const other = await store.addDevice(b.appid, { productId: 'beta', deviceName: `cam-${b.appid}` });
    await expect(store.addDevice(a.appid, cam)).rejects.toMatchObject({ kind: 'exists' });
    expect((await store.devices(a.appid)).map((d) => d.deviceName)).toEqual([cam.deviceName]);

    await store.addUser(a.appid, `ann-${a.appid}`, 'correct horse');
    await store.addUser(b.appid, `bob-${b.appid}`, 'battery staple');
    expect(await store.checkPassword(`ann-${a.appid}`, 'correct horse')).toEqual({
      name: `ann-${a.appid}`,
      appid: a.appid,
    });
    expect(await store.checkPassword(`ann-${a.appid}`, 'wrong password')).toBeUndefined();
    expect(await store.checkPassword('nobody-at-all', 'correct horse')).toBeUndefined();

    await store.share(cam.productId, cam.deviceName, `ann-${a.appid}`, 'viewer');
    expect(await store.roleOf(`ann-${a.appid}`, cam.productId, cam.deviceName)).toBe('viewer');
    await store.share(cam.productId, cam.deviceName, `ann-${a.appid}`, 'operator');
    expect(await store.roleOf(`ann-${a.appid}`, cam.productId, cam.deviceName)).toBe('operator');
    // another app's device and a device that does not exist: the same refusal, word for word
    const cross = await store
      .share(other.productId, other.deviceName, `ann-${a.appid}`, 'viewer')
      .catch((e: AccountError) => e);
    const missing = await store.share('beta', 'no-such-cam', `ann-${a.appid}`, 'viewer').catch((e: AccountError) => e);
    expect(cross).toBeInstanceOf(AccountError);
    expect((cross as AccountError).message.replace(other.deviceName, 'X')).toBe(
      (missing as AccountError).message.replace('no-such-cam', 'X'),
    );

    await store.unshare(cam.productId, cam.deviceName, `ann-${a.appid}`);
    expect(await store.roleOf(`ann-${a.appid}`, cam.productId, cam.deviceName)).toBeUndefined();
    await store.share(cam.productId, cam.deviceName, `ann-${a.appid}`, 'owner');
    await store.removeDevice(cam.productId, cam.deviceName);
    expect(await store.device(cam.productId, cam.deviceName)).toBeUndefined();
    expect(await store.bindingsOfUser(`ann-${a.appid}`)).toEqual([]);
  });

  it('imports a pre-accounts config once, devices to the first app', async () => {
    const apps = [
      { appid: 'app-old1', appOauthId: 'o1', appKey: 'key-old-1', appSecretKey: 'x'.repeat(32), appPackage: 'p' },
      { appid: 'app-old2', appOauthId: 'o2', appKey: 'key-old-2', appSecretKey: 'y'.repeat(32), appPackage: 'p' },
    ];
    const devices = [{ productId: 'demo', deviceName: 'old-cam', secret: 's'.repeat(32) }];
    expect(await importConfigAccounts(db, apps, devices)).toEqual({ apps: 2, devices: 1 });
    expect(await importConfigAccounts(db, apps, devices)).toEqual({ apps: 0, devices: 0 });
    expect(await store.device('demo', 'old-cam')).toMatchObject({ appid: 'app-old1', secret: 's'.repeat(32) });
  });

  it('writes and reads the audit log, newest first', async () => {
    const audit = new AuditLog(db);
    await audit.record({
      appid: 'a',
      user: 'ann',
      productId: 'p',
      deviceName: 'd',
      action: 'session',
      address: '127.0.0.1',
    });
    await audit.record({ appid: 'a', user: 'ann', productId: 'p', deviceName: 'd', action: 'talk' });
    const entries = await audit.list({ productId: 'p', deviceName: 'd' });
    expect(entries.map((e) => e.action)).toEqual(['talk', 'session']);
    expect(entries[1]).toMatchObject({ user: 'ann', address: '127.0.0.1' });
  });
});
