/** Rows of the accounts database as the rest of the server sees them (camelCase, no SQL types). */
import type { Role } from '@xp2p/protocol';

export interface AppRecord {
  appid: string;
  appOauthId: string;
  appKey: string;
  appSecretKey: string;
  appPackage: string;
  name: string;
}

export interface DeviceRecord {
  productId: string;
  deviceName: string;
  appid: string;
  secret: string;
}

export interface UserRecord {
  name: string;
  appid: string;
}

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

export interface AuditRecord extends AuditEntry {
  id: number;
  /** ISO 8601 */
  at: string;
}
