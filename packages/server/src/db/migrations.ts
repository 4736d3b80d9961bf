/**
 * The accounts schema, as an ordered list of migrations shared by PGlite and PostgreSQL. Each runs once,
 * in its own transaction, recorded in `schema_migrations`; an advisory lock makes nodes that start together
 * against one PostgreSQL take turns instead of racing. Append new migrations; never edit a shipped one.
 */
import type { Database } from './database.js';

export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'accounts',
    sql: `
      create table apps (
        appid text primary key,
        app_oauth_id text not null,
        app_key text not null unique,
        app_secret_key text not null,
        app_package text not null,
        name text not null,
        created_at timestamptz not null default now()
      );
      create table devices (
        product_id text not null,
        device_name text not null,
        appid text not null references apps (appid) on delete cascade,
        secret text not null,
        created_at timestamptz not null default now(),
        primary key (product_id, device_name)
      );
      create index devices_by_app on devices (appid);
      create table users (
        name text primary key,
        appid text not null references apps (appid) on delete cascade,
        password_hash text not null,
        created_at timestamptz not null default now()
      );
      create table bindings (
        user_name text not null references users (name) on delete cascade,
        product_id text not null,
        device_name text not null,
        role text not null check (role in ('viewer', 'operator', 'owner')),
        created_at timestamptz not null default now(),
        primary key (user_name, product_id, device_name),
        foreign key (product_id, device_name) references devices (product_id, device_name) on delete cascade
      );
      create index bindings_by_device on bindings (product_id, device_name);
      create table web_sessions (
        id_hash text primary key,
        user_name text not null references users (name) on delete cascade,
        csrf text not null,
        expires_at timestamptz not null
      );
      create table sign_in_tokens (
        token_hash text primary key,
        user_name text not null references users (name) on delete cascade,
        expires_at timestamptz not null
      );
      create table audit_log (
        id bigserial primary key,
        at timestamptz not null default now(),
        appid text,
        user_name text,
        product_id text,
        device_name text,
        action text not null,
        address text,
        detail text
      );
      create index audit_by_device on audit_log (product_id, device_name, id);
    `,
  },
  {
    id: 2,
    name: 'stream owners',
    sql: `
      create table streams (
        name text primary key,
        appid text not null references apps (appid) on delete cascade,
        created_at timestamptz not null default now()
      );
      create index streams_by_app on streams (appid);
    `,
  },
];

/** An arbitrary constant: the advisory lock key every xp2p node takes while migrating. */
const MIGRATION_LOCK = 7_230_412;

/** Brings the schema up to date; returns the ids it applied. */
export async function migrate(db: Database): Promise<number[]> {
  await db.query(
    'create table if not exists schema_migrations (id integer primary key, name text not null, applied_at timestamptz not null default now())',
  );
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const rows = await tx.query<{ id: number }>('select id from schema_migrations where id = $1', [migration.id]);
      if (rows.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (id, name) values ($1, $2)', [migration.id, migration.name]);
      return true;
    });
    if (done) applied.push(migration.id);
  }
  return applied;
}

/** Extended-protocol queries take one statement each; our migrations hold no ';' inside literals. */
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
