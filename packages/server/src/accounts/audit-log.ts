/**
 * Who watched, talked to, commanded or downloaded from which camera, when and from where (issue 12).
 * Written by the server at the steps it sees (xp2pInfo issued, session opened, sharing changed, sign-in);
 * read by `xp2p audit` and the owners' page of the web app.
 *
 * Entries are written in batches (every FLUSH_MS, or FLUSH_ROWS at once) with one multi-row INSERT: every
 * write makes the embedded engine sync its files, and one per issued xp2pInfo put that sync on the hot
 * path (the accounts bench's p95 on PGlite). Reads flush first, so what was recorded is what is listed.
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

const FLUSH_MS = 500;
const FLUSH_ROWS = 200;
const COLUMNS = 7;

/** Who was given or used access to which device, written to the accounts database in batches. */
export class AuditLog {
  readonly #db: Database;
  #pending: (string | null)[][] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(db: Database) {
    this.#db = db;
  }

  /** Queues one entry; resolves once it is in the database. */
  record(entry: AuditEntry): Promise<void> {
    this.#pending.push([
      clip(entry.appid),
      clip(entry.user),
      clip(entry.productId),
      clip(entry.deviceName),
      entry.action.slice(0, 64),
      clip(entry.address),
      clip(entry.detail),
    ]);
    if (this.#pending.length >= FLUSH_ROWS) return this.flush();
    this.#timer ??= setTimeout(() => void this.flush().catch(() => {}), FLUSH_MS);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Writes what is queued (one INSERT); later calls wait for earlier ones, so order is kept. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    const waiters = this.#waiters;
    this.#pending = [];
    this.#waiters = [];
    // a failed batch must not stop later ones: chain on its settlement, not its success
    this.#flushing = this.#flushing
      .catch(() => {})
      .then(async () => {
        if (rows.length === 0) return waiters.forEach((w) => w.resolve());
        const values = rows.map(
          (_, r) => `(${Array.from({ length: COLUMNS }, (_c, c) => `$${r * COLUMNS + c + 1}`).join(',')})`,
        );
        try {
          await this.#db.query(
            `insert into audit_log (appid, user_name, product_id, device_name, action, address, detail) values ${values.join(',')}`,
            rows.flat(),
          );
          waiters.forEach((w) => w.resolve());
        } catch (err) {
          waiters.forEach((w) => w.reject(err));
          throw err;
        }
      });
    return this.#flushing;
  }

  /** Newest first; `device` narrows to one camera, `appid` to one tenant. */
  async list(
    filter: { appid?: string; productId?: string; deviceName?: string; limit?: number } = {},
  ): Promise<AuditRecord[]> {
    await this.flush().catch(() => {});
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
