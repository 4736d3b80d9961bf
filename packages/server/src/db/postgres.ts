/**
 * PostgreSQL through `pg`'s pool: several server nodes share one accounts database (DESIGN.md principle 6).
 * The pool is small: account queries are short, and a node's hot paths (xp2pInfo, offers) make one each.
 */
import pg from 'pg';
import type { Database, Queryable, SqlValue } from './database.js';

const POOL_SIZE = 8;

export async function openPostgresDatabase(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  // Idle clients that lose their server emit 'error'; without a listener that would crash the process.
  pool.on('error', () => {});
  await pool.query('select 1'); // fail at start, with the driver's message, rather than on the first request
  const query = async <Row extends object>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> =>
    (await pool.query(sql, params as SqlValue[])).rows as Row[];
  return {
    kind: 'postgres',
    query,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const tx: Queryable = {
          query: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
            (await client.query(sql, params as SqlValue[])).rows as Row[],
        };
        const result = await work(tx);
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
