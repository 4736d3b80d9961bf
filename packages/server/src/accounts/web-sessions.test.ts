import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import type { Database } from '../db/database.js';
import { AccountStore } from './account-store.js';
import { WebSessions } from './web-sessions.js';

let db: Database;
let now = Date.UTC(2026, 0, 1);
let sessions: WebSessions;

beforeEach(async () => {
  db = await openDatabase({});
  const accounts = new AccountStore(db);
  const app = await accounts.addApp('Acme');
  await accounts.addUser(app.appid, 'ann', 'ann-password');
  sessions = new WebSessions(db, () => now);
});
afterEach(async () => {
  await db.close();
});

describe('web sessions', () => {
  it('find a live session by its id; only a hash is stored; expired and closed ones are gone', async () => {
    const s = await sessions.open('ann', 60);
    expect(await sessions.find(s.id)).toMatchObject({ user: 'ann', csrf: s.csrf });
    const rows = await db.query<{ id_hash: string }>('select id_hash from web_sessions');
    expect(rows.map((r) => r.id_hash)).not.toContain(s.id);
    now += 61_000;
    expect(await sessions.find(s.id)).toBeUndefined();
    const t = await sessions.open('ann', 60);
    expect((await db.query('select 1 from web_sessions')).length).toBe(1); // the expired row was swept
    await sessions.close(t.id);
    expect(await sessions.find(t.id)).toBeUndefined();
    expect(await sessions.find('not-a-session-id')).toBeUndefined();
  });

  it('a sign-in token works once, and not after it expired', async () => {
    const once = await sessions.issueSignInToken('ann', 600);
    expect(await sessions.redeemSignInToken(once)).toBe('ann');
    expect(await sessions.redeemSignInToken(once)).toBeUndefined();
    const late = await sessions.issueSignInToken('ann', 600);
    now += 601_000;
    expect(await sessions.redeemSignInToken(late)).toBeUndefined();
  });
});
