/**
 * The web app's sign-ins (issue 12, way 2): a session per signed-in browser, and the one-time sign-in
 * tokens `xp2p demo` prints in its `web:` link. Only SHA-256 hashes of the session ids and tokens are
 * stored, so a copy of the database does not sign anyone in. Each session has its own CSRF token, which
 * the page sends in a header with every state-changing request (a cookie alone is not enough).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';

/** A signed-in browser: who, which app, and the CSRF token its requests must carry. */
export interface WebSession {
  user: string;
  appid: string;
  csrf: string;
  /** unix ms */
  expiresAt: number;
}

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');
/** ids and tokens are 43 base64url characters; anything else is not one of ours (no query needed) */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Web sessions and one-time sign-in tokens in the accounts database (hashes only). */
export class WebSessions {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Opens a session for a user; the id goes into the cookie, the csrf token to the page. */
  async open(user: string, ttlSeconds: number): Promise<{ id: string; csrf: string; expiresAt: number }> {
    const id = newSecret();
    const csrf = newSecret();
    const expiresAt = this.#now() + ttlSeconds * 1000;
    // expired rows go as new ones come, so the table holds about the live sessions (no sweeper needed)
    await this.#db.query('delete from web_sessions where expires_at <= $1', [new Date(this.#now()).toISOString()]);
    await this.#db.query('insert into web_sessions (id_hash, user_name, csrf, expires_at) values ($1,$2,$3,$4)', [
      hashOf(id),
      user,
      csrf,
      new Date(expiresAt).toISOString(),
    ]);
    return { id, csrf, expiresAt };
  }

  /** The live session with this id (a removed user's sessions are gone with the user). */
  async find(id: string): Promise<WebSession | undefined> {
    if (!SECRET_PATTERN.test(id)) return undefined;
    const rows = await this.#db.query<{ user_name: string; appid: string; csrf: string; expires_at: Date | string }>(
      `select s.user_name, u.appid, s.csrf, s.expires_at from web_sessions s join users u on u.name = s.user_name
       where s.id_hash = $1 and s.expires_at > $2`,
      [hashOf(id), new Date(this.#now()).toISOString()],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { user: row.user_name, appid: row.appid, csrf: row.csrf, expiresAt: new Date(row.expires_at).getTime() };
  }

  /** Signs a browser out (and sweeps expired sessions while at it). */
  async close(id: string): Promise<void> {
    await this.#db.query('delete from web_sessions where id_hash = $1 or expires_at <= $2', [
      hashOf(id),
      new Date(this.#now()).toISOString(),
    ]);
  }

  /** A token that signs `user` in once, within `ttlSeconds` (the demo's printed link). */
  async issueSignInToken(user: string, ttlSeconds: number): Promise<string> {
    const token = newSecret();
    await this.#db.query('delete from sign_in_tokens where expires_at <= $1', [new Date(this.#now()).toISOString()]);
    await this.#db.query('insert into sign_in_tokens (token_hash, user_name, expires_at) values ($1,$2,$3)', [
      hashOf(token),
      user,
      new Date(this.#now() + ttlSeconds * 1000).toISOString(),
    ]);
    return token;
  }

  /** The user a sign-in token was for; the token is gone afterwards, used or expired. */
  async redeemSignInToken(token: string): Promise<string | undefined> {
    if (!SECRET_PATTERN.test(token)) return undefined;
    const rows = await this.#db.query<{ user_name: string; expires_at: Date | string }>(
      'delete from sign_in_tokens where token_hash = $1 returning user_name, expires_at',
      [hashOf(token)],
    );
    const row = rows[0];
    return row && new Date(row.expires_at).getTime() > this.#now() ? row.user_name : undefined;
  }
}
