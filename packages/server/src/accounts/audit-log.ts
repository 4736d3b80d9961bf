/**
 * Who watched, talked to, commanded or downloaded from which camera, when and from where (issue 12).
 * Written by the server at the steps it sees (xp2pInfo issued, session opened, sharing changed, sign-in);
 * read by `xp2p audit` and the owners' page of the web app.
 */
import type { Database } from '../db/database.js';
import type { AuditEntry, AuditRecord } from './records.js';

const MAX_FIELD = 256;
const clip = (value: string | undefined): string | null => (value === undefined ? null : value.slice(0, MAX_FIELD));

type AuditRow = {
  id: string | number;
  at: Date | string;
  appid: string | null;
  user_name: string | null;
  product_id: string | null;
  device_name: string | null;
  action: string;
  address: string | null;
  detail: string | null;
};

export class AuditLog {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.#db.query(
      'insert into audit_log (appid, user_name, product_id, device_name, action, address, detail) values ($1,$2,$3,$4,$5,$6,$7)',
      [
        clip(entry.appid),
        clip(entry.user),
        clip(entry.productId),
        clip(entry.deviceName),
        entry.action.slice(0, 64),
        clip(entry.address),
        clip(entry.detail),
      ],
    );
  }

  /** Newest first; `device` narrows to one camera, `appid` to one tenant. */
  async list(
    filter: { appid?: string; productId?: string; deviceName?: string; limit?: number } = {},
  ): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (column: string, value: string | undefined): void => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    add('appid', filter.appid);
    add('product_id', filter.productId);
    add('device_name', filter.deviceName);
    params.push(Math.min(Math.max(filter.limit ?? 100, 1), 10_000));
    const rows = await this.#db.query<AuditRow>(
      `select * from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      action: r.action,
      ...(r.appid !== null ? { appid: r.appid } : {}),
      ...(r.user_name !== null ? { user: r.user_name } : {}),
      ...(r.product_id !== null ? { productId: r.product_id } : {}),
      ...(r.device_name !== null ? { deviceName: r.device_name } : {}),
      ...(r.address !== null ? { address: r.address } : {}),
      ...(r.detail !== null ? { detail: r.detail } : {}),
    }));
  }
}
