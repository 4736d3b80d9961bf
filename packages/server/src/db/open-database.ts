/**
 * Opens the accounts database the operator chose and brings its schema up to date:
 * `postgres://…` / `postgresql://…` → PostgreSQL, otherwise embedded PGlite in `<dataDir>/db`
 * (in memory when there is no data directory: tests and throw-away servers).
 */
import { join } from 'node:path';
import type { Database } from './database.js';
import { openEmbeddedDatabase } from './embedded.js';
import { migrate } from './migrations.js';
import { openPostgresDatabase } from './postgres.js';

export const EMBEDDED_DB_DIR = 'db';

/** Which accounts database to open: a PostgreSQL URL, or the embedded one in a data directory (in memory without one). */
export interface DatabaseChoice {
  /** a postgres:// URL; without it the embedded engine */
  url?: string;
  /** where the embedded engine keeps its files (`<dataDir>/db`); without it, in memory */
  dataDir?: string;
}

/** Whether `url` names a PostgreSQL server (postgres:// or postgresql://). */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/** Opens the accounts database and brings its schema up to date (migrations). */
export async function openDatabase(choice: DatabaseChoice): Promise<Database> {
  if (choice.url !== undefined && !isPostgresUrl(choice.url)) {
    throw new Error(`--db takes a postgres:// URL, not "${choice.url.replace(/\/\/[^@/]*@/, '//…@')}"`);
  }
  const db = choice.url
    ? await openPostgresDatabase(choice.url)
    : await openEmbeddedDatabase(choice.dataDir === undefined ? undefined : join(choice.dataDir, EMBEDDED_DB_DIR));
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
