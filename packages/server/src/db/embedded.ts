/**
 * Embedded PGlite in `<dataDir>/db` (or in memory). A fresh PGlite runs initdb, which costs 10–15 s of
 * WebAssembly on a loaded 2-core machine (measured 2026-12-05: 9.9 s in memory, 14 s on disk; loading the
 * same cluster from a tarball took 0.6–1.9 s). So the first fresh cluster this machine makes is saved as a
 * template tarball next to PGlite's own files in the OS temp directory, and later fresh databases start
 * from a copy of it, the way `createdb` copies template1. The template holds no data of ours: it is what
 * initdb makes, before any migration runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, SqlValue } from './database.js';

/** `dir` undefined: in memory, gone when closed. */
export async function openEmbeddedDatabase(dir: string | undefined): Promise<Database> {
  const fresh = dir === undefined || !existsSync(join(dir, 'PG_VERSION'));
  if (dir !== undefined) await mkdir(dir, { recursive: true, mode: 0o700 });
  const db = new PGlite(dir, fresh ? { loadDataDir: (await readTemplate()) ?? (await makeTemplate()) } : {});
  await db.waitReady;
  return {
    kind: 'embedded',
    query: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
      (await db.query<Row>(sql, params as SqlValue[])).rows,
    // PGlite runs one statement at a time; its transaction() holds it, so no other query lands inside.
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      db.transaction(async (tx) =>
        work({
          query: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
            (await tx.query<Row>(sql, params as SqlValue[])).rows,
        }),
      ),
    close: () => db.close(),
  };
}

/** Keyed by PGlite's version (a template from another version would not start) and the user (file modes). */
function templatePath(): string {
  const pkg = fileURLToPath(new URL('../package.json', import.meta.resolve('@electric-sql/pglite')));
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? 'unknown';
  return join(tmpdir(), `xp2p-pglite-template-${version}-uid${process.getuid?.() ?? 0}.tar`);
}

async function readTemplate(): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(templatePath())]);
  } catch {
    return undefined;
  }
}

/** Runs initdb once (in memory) and publishes the result atomically, so readers never see half a file. */
async function makeTemplate(): Promise<Blob> {
  const source = new PGlite();
  try {
    await source.waitReady;
    const dump = await source.dumpDataDir('none');
    const path = templatePath();
    const partial = `${path}.${process.pid}.partial`;
    try {
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
      await rename(partial, path);
    } catch {
      /* only a start-up speed-up: without it the next fresh database runs initdb again */
    }
    return dump;
  } finally {
    await source.close();
  }
}
