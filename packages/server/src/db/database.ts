/**
 * The one interface the accounts code talks to, with two engines behind it: embedded PGlite (Postgres
 * compiled to WebAssembly, in the data directory, zero configuration) and a PostgreSQL server (`pg`). Both
 * speak the same SQL, so one schema and one list of migrations (migrations.ts) serve both.
 */

export type DatabaseKind = 'embedded' | 'postgres';

/** A query parameter: what both drivers bind without conversion. */
export type SqlValue = string | number | boolean | null | Date;

export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

/** The accounts database, embedded PGlite or PostgreSQL behind one interface. */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs `work` inside one transaction (BEGIN … COMMIT, ROLLBACK when it throws). */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connection (pool) or the embedded engine. */
  close(): Promise<void>;
}
