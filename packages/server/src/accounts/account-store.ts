/**
 * Apps (tenants), their devices, their users and the users' roles on devices, in the accounts database
 * (db/migrations.ts). Every lookup the hot paths make (an app by appKey, a device by name, a user's role
 * on a device) is one indexed query. Secrets the server must use (device secrets sign tokens, app secrets
 * check HMAC signatures) are stored as they are; passwords only as scrypt hashes.
 */
import { randomId, type Role, isRole } from '@xp2p/protocol';
import type { Database, Queryable } from '../db/database.js';
import { AccountError } from './account-errors.js';
import { decoyHash, hashPassword, verifyPassword } from './password.js';
import type { AppRecord, BindingRecord, DeviceRecord, UserRecord } from './records.js';
import { StreamOwners } from './stream-owners.js';

const NAME_PART = /^[A-Za-z0-9_.-]{1,64}$/;
const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 256;

type AppRow = {
  appid: string;
  app_oauth_id: string;
  app_key: string;
  app_secret_key: string;
  app_package: string;
  name: string;
};
type DeviceRow = { product_id: string; device_name: string; appid: string; secret: string };

const appFromRow = (r: AppRow): AppRecord => ({
  appid: r.appid,
  appOauthId: r.app_oauth_id,
  appKey: r.app_key,
  appSecretKey: r.app_secret_key,
  appPackage: r.app_package,
  name: r.name,
});
const deviceFromRow = (r: DeviceRow): DeviceRecord => ({
  productId: r.product_id,
  deviceName: r.device_name,
  appid: r.appid,
  secret: r.secret,
});

/** `PRODUCT/NAME` as the CLI and the web app write it. */
export function parseDeviceRef(ref: string): { productId: string; deviceName: string } {
  const [productId, deviceName, extra] = ref.split('/');
  if (!productId || !deviceName || extra !== undefined || !NAME_PART.test(productId) || !NAME_PART.test(deviceName)) {
    throw new AccountError('invalid', `"${ref}" is not PRODUCT/NAME (letters, digits, "_", "." and "-")`);
  }
  return { productId, deviceName };
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string })?.code === '23505';

/** Apps, devices, users and their roles on devices, in the accounts database (embedded PGlite or PostgreSQL). */
export class AccountStore {
  readonly db: Database;
  /** which app owns which 1vN stream */
  readonly streams: StreamOwners;

  constructor(db: Database) {
    this.db = db;
    this.streams = new StreamOwners(db);
  }

  // ---- apps

  /** Registers an app (tenant) with its key and secret. */
  async addApp(
    name: string,
    given: Partial<Omit<AppRecord, 'name'>> = {},
    on: Queryable = this.db,
  ): Promise<AppRecord> {
    if (!/^[\p{L}\p{N} _.-]{1,64}$/u.test(name)) throw new AccountError('invalid', `app name "${name}" is not usable`);
    const app: AppRecord = {
      appid: given.appid ?? `app-${randomId(8)}`,
      appOauthId: given.appOauthId ?? `oauth-${randomId(8)}`,
      appKey: given.appKey ?? randomId(16),
      appSecretKey: given.appSecretKey ?? randomId(32),
      appPackage: given.appPackage ?? 'xp2p.app',
      name,
    };
    try {
      await on.query(
        'insert into apps (appid, app_oauth_id, app_key, app_secret_key, app_package, name) values ($1,$2,$3,$4,$5,$6)',
        [app.appid, app.appOauthId, app.appKey, app.appSecretKey, app.appPackage, app.name],
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AccountError('exists', `an app with appid ${app.appid} or that appKey exists`);
      throw err;
    }
    return app;
  }

  /** Every registered app. */
  async listApps(): Promise<AppRecord[]> {
    return (await this.db.query<AppRow>('select * from apps order by created_at, appid')).map(appFromRow);
  }

  /** The app that signs with this appKey, if any. */
  async appByKey(appKey: string): Promise<AppRecord | undefined> {
    const rows = await this.db.query<AppRow>('select * from apps where app_key = $1', [appKey]);
    return rows[0] && appFromRow(rows[0]);
  }

  /** The app with this appid, if any. */
  async app(appid: string): Promise<AppRecord | undefined> {
    const rows = await this.db.query<AppRow>('select * from apps where appid = $1', [appid]);
    return rows[0] && appFromRow(rows[0]);
  }

  // ---- devices

  /** Registers a camera under an app, with the secret it logs in and signs viewer tokens with. */
  async addDevice(
    appid: string,
    ref: { productId: string; deviceName: string },
    secret: string = randomId(32),
    on: Queryable = this.db,
  ): Promise<DeviceRecord> {
    const { productId, deviceName } = parseDeviceRef(`${ref.productId}/${ref.deviceName}`);
    if (!(await on.query('select 1 from apps where appid = $1', [appid])).length) {
      throw new AccountError('not-found', `no app ${appid}`);
    }
    try {
      await on.query('insert into devices (product_id, device_name, appid, secret) values ($1,$2,$3,$4)', [
        productId,
        deviceName,
        appid,
        secret,
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AccountError('exists', `device ${productId}/${deviceName} exists`);
      throw err;
    }
    return { productId, deviceName, appid, secret };
  }

  /** Removing a device removes its bindings too; its agent is refused at its next login. */
  async removeDevice(productId: string, deviceName: string): Promise<void> {
    const rows = await this.db.query(
      'delete from devices where product_id = $1 and device_name = $2 returning product_id',
      [productId, deviceName],
    );
    if (!rows.length) throw new AccountError('not-found', `no device ${productId}/${deviceName}`);
  }

  /** A registered device (any app's: callers check the tenant). */
  async device(productId: string, deviceName: string): Promise<DeviceRecord | undefined> {
    const rows = await this.db.query<DeviceRow>(
      'select product_id, device_name, appid, secret from devices where product_id = $1 and device_name = $2',
      [productId, deviceName],
    );
    return rows[0] && deviceFromRow(rows[0]);
  }

  /** The app's devices, or every device when `appid` is undefined (the operator's status page). */
  async devices(appid?: string): Promise<DeviceRecord[]> {
    const rows = await this.db.query<DeviceRow>(
      appid === undefined
        ? 'select product_id, device_name, appid, secret from devices order by product_id, device_name'
        : 'select product_id, device_name, appid, secret from devices where appid = $1 order by product_id, device_name',
      appid === undefined ? [] : [appid],
    );
    return rows.map(deviceFromRow);
  }

  // ---- users

  /** Adds a user of an app; the password is stored as an scrypt hash. */
  async addUser(appid: string, name: string, password: string): Promise<UserRecord> {
    if (!USER_NAME.test(name))
      throw new AccountError('invalid', `user name "${name}" is not usable (1-64 of A-Z a-z 0-9 _ . @ -)`);
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw new AccountError('invalid', `a password has ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
    }
    if (!(await this.app(appid))) throw new AccountError('not-found', `no app ${appid}`);
    const hash = await hashPassword(password);
    try {
      await this.db.query('insert into users (name, appid, password_hash) values ($1,$2,$3)', [name, appid, hash]);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AccountError('exists', `user ${name} exists`);
      throw err;
    }
    return { name, appid };
  }

  /** Removing a user removes their bindings and web sessions; running P2P sessions end (signal/revocation.ts). */
  async removeUser(name: string): Promise<void> {
    const rows = await this.db.query('delete from users where name = $1 returning name', [name]);
    if (!rows.length) throw new AccountError('not-found', `no user ${name}`);
  }

  /** The user with this name, if any. */
  async user(name: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRecord>('select name, appid from users where name = $1', [name]);
    return rows[0];
  }

  /** The user when the password is right; the same work is done for an unknown name (no timing oracle). */
  async checkPassword(name: string, password: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<{ name: string; appid: string; password_hash: string }>(
      'select name, appid, password_hash from users where name = $1',
      [name],
    );
    const row = rows[0];
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
    return row && ok ? { name: row.name, appid: row.appid } : undefined;
  }

  // ---- bindings

  /** Binds a user to a device of the same app with a role (replacing any role they had). */
  async share(productId: string, deviceName: string, userName: string, role: Role): Promise<BindingRecord> {
    if (!isRole(role)) throw new AccountError('invalid', `role must be viewer, operator or owner`);
    const [device, user] = await Promise.all([this.device(productId, deviceName), this.user(userName)]);
    // one answer for "no such device" and "device of another app": no enumeration across tenants
    if (!device || !user || device.appid !== user.appid) {
      throw new AccountError('not-found', `no device ${productId}/${deviceName} for user ${userName}`);
    }
    await this.db.query(
      `insert into bindings (user_name, product_id, device_name, role) values ($1,$2,$3,$4)
       on conflict (user_name, product_id, device_name) do update set role = excluded.role`,
      [userName, productId, deviceName, role],
    );
    return { user: userName, productId, deviceName, role };
  }

  /** Takes a user's role on a device away; running sessions end at the next revocation sweep. */
  async unshare(productId: string, deviceName: string, userName: string): Promise<void> {
    const rows = await this.db.query(
      'delete from bindings where user_name = $1 and product_id = $2 and device_name = $3 returning user_name',
      [userName, productId, deviceName],
    );
    if (!rows.length) throw new AccountError('not-found', `${userName} has no role on ${productId}/${deviceName}`);
  }

  /** The role a user holds on a device, if any. */
  async roleOf(userName: string, productId: string, deviceName: string): Promise<Role | undefined> {
    const rows = await this.db.query<{ role: Role }>(
      'select role from bindings where user_name = $1 and product_id = $2 and device_name = $3',
      [userName, productId, deviceName],
    );
    return rows[0]?.role;
  }

  /** Every device a user holds a role on. */
  async bindingsOfUser(userName: string): Promise<BindingRecord[]> {
    return this.db.query<BindingRecord>(
      'select user_name as "user", product_id as "productId", device_name as "deviceName", role from bindings where user_name = $1 order by product_id, device_name',
      [userName],
    );
  }

  /** Every user holding a role on a device. */
  async bindingsOfDevice(productId: string, deviceName: string): Promise<BindingRecord[]> {
    return this.db.query<BindingRecord>(
      'select user_name as "user", product_id as "productId", device_name as "deviceName", role from bindings where product_id = $1 and device_name = $2 order by user_name',
      [productId, deviceName],
    );
  }
}
