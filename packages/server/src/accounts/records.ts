/** Rows of the accounts database as the rest of the server sees them (camelCase, no SQL types). */
import type { Role } from '@xp2p/protocol';

/** A registered app (tenant): its id and signing keys. */
export interface AppRecord {
  appid: string;
  appOauthId: string;
  appKey: string;
  appSecretKey: string;
  appPackage: string;
  name: string;
}

/** A registered camera, the app it belongs to and its secret. */
export interface DeviceRecord {
  productId: string;
  deviceName: string;
  appid: string;
  secret: string;
}

/** A user of an app (the password is kept only as a hash). */
export interface UserRecord {
  name: string;
  appid: string;
}

/** A role one user holds on one device. */
export interface BindingRecord {
  user: string;
  productId: string;
  deviceName: string;
  role: Role;
}

export interface AuditEntry {
  appid?: string;
  user?: string;
  productId?: string;
  deviceName?: string;
  /** watch | playback | talk | command | download | share | unshare | sign-in | xp2pinfo | … */
  action: string;
  address?: string;
  detail?: string;
}

/** An audit entry as stored: with its id and time. */
export interface AuditRecord extends AuditEntry {
  id: number;
  /** ISO 8601 */
  at: string;
}
