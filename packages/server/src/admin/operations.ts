/**
 * What an operator can do to the accounts database (`xp2p app|device|user|share|unshare|audit`), one
 * schema-checked operation each. The CLI sends them to a running server's admin socket (admin-socket.ts),
 * or runs them on the database itself when no server is running; both end here.
 */
import { ROLES } from '@xp2p/protocol';
import { z } from 'zod';
import { parseDeviceRef, type AccountStore } from '../accounts/account-store.js';
import type { AuditLog } from '../accounts/audit-log.js';

const ref = z.string().min(3).max(129);
const name = z.string().min(1).max(128);

/** What `xp2p app|device|user|share|unshare|audit` may ask the admin socket, schema-checked on arrival. */
export const adminOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('app-add'), name: z.string().min(1).max(64) }),
  z.object({ op: z.literal('app-list') }),
  z.object({ op: z.literal('device-add'), device: ref, appid: name }),
  z.object({ op: z.literal('device-remove'), device: ref }),
  z.object({ op: z.literal('device-list'), appid: name.optional() }),
  z.object({ op: z.literal('user-add'), name, appid: name, password: z.string().min(1).max(256) }),
  z.object({ op: z.literal('user-remove'), name }),
  z.object({ op: z.literal('share'), device: ref, user: name, role: z.enum(ROLES) }),
  z.object({ op: z.literal('unshare'), device: ref, user: name }),
  z.object({ op: z.literal('stream-add'), stream: z.string().min(1).max(64), appid: name }),
  z.object({ op: z.literal('stream-remove'), stream: z.string().min(1).max(64) }),
  z.object({ op: z.literal('stream-list'), appid: name.optional() }),
  z.object({
    op: z.literal('audit'),
    device: ref.optional(),
    appid: name.optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
]);
/** One operator request on the accounts database. */
export type AdminOperation = z.infer<typeof adminOperationSchema>;

export interface AdminContext {
  accounts: AccountStore;
  audit: AuditLog;
}

/** Runs one operation; the result is what `--json` prints. AccountError carries refusals. */
export async function runAdminOperation(ctx: AdminContext, operation: AdminOperation): Promise<unknown> {
  const { accounts, audit } = ctx;
  const note = (entry: Parameters<AuditLog['record']>[0]) => audit.record({ ...entry, address: 'operator' });
  switch (operation.op) {
    case 'app-add': {
      const app = await accounts.addApp(operation.name);
      await note({ appid: app.appid, action: 'app-add', detail: app.name });
      return { appid: app.appid, appKey: app.appKey, appSecretKey: app.appSecretKey, name: app.name };
    }
    case 'app-list':
      return (await accounts.listApps()).map(({ appid, name, appKey }) => ({ appid, name, appKey }));
    case 'device-add': {
      const device = await accounts.addDevice(operation.appid, parseDeviceRef(operation.device));
      await note({
        appid: device.appid,
        productId: device.productId,
        deviceName: device.deviceName,
        action: 'device-add',
      });
      return {
        productId: device.productId,
        deviceName: device.deviceName,
        deviceSecret: device.secret,
        appid: device.appid,
      };
    }
    case 'device-remove': {
      const { productId, deviceName } = parseDeviceRef(operation.device);
      await accounts.removeDevice(productId, deviceName);
      await note({ productId, deviceName, action: 'device-remove' });
      return { removed: `${productId}/${deviceName}` };
    }
    case 'device-list':
      return (await accounts.devices(operation.appid)).map(({ productId, deviceName, appid }) => ({
        productId,
        deviceName,
        appid,
      }));
    case 'user-add': {
      const user = await accounts.addUser(operation.appid, operation.name, operation.password);
      await note({ appid: user.appid, user: user.name, action: 'user-add' });
      return user;
    }
    case 'user-remove':
      await accounts.removeUser(operation.name);
      await note({ user: operation.name, action: 'user-remove' });
      return { removed: operation.name };
    case 'share': {
      const { productId, deviceName } = parseDeviceRef(operation.device);
      const binding = await accounts.share(productId, deviceName, operation.user, operation.role);
      await note({ user: operation.user, productId, deviceName, action: 'share', detail: operation.role });
      return binding;
    }
    case 'unshare': {
      const { productId, deviceName } = parseDeviceRef(operation.device);
      await accounts.unshare(productId, deviceName, operation.user);
      await note({ user: operation.user, productId, deviceName, action: 'unshare' });
      return { user: operation.user, productId, deviceName, role: null };
    }
    case 'stream-add': {
      const owned = await accounts.streams.add(operation.stream, operation.appid);
      await note({ appid: owned.appid, action: 'stream-add', detail: owned.stream });
      return owned;
    }
    case 'stream-remove':
      await accounts.streams.remove(operation.stream);
      await note({ action: 'stream-remove', detail: operation.stream });
      return { removed: operation.stream };
    case 'stream-list':
      return accounts.streams.list(operation.appid);
    case 'audit': {
      const device = operation.device === undefined ? undefined : parseDeviceRef(operation.device);
      return audit.list({ ...device, appid: operation.appid, limit: operation.limit });
    }
  }
}
