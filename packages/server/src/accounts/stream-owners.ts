/**
 * Which app (tenant) owns which 1vN stream (`xp2p stream add NAME --app APPID`). The tracker admits a peer to
 * an owned stream only when it signed in as the owning app; any other app is told the stream is not live,
 * the very answer of a stream that does not exist, so no app learns another's stream names by joining.
 * A stream nobody owns (one published with the config's master key and never registered) stays open to every
 * app, as before accounts existed. HTTP-FLV and chunk reads of the origin are not gated here (see
 * docs/operations.md): the swarm, its peers and its TURN credentials are.
 */
import { streamNameSchema } from '@xp2p/protocol';
import type { Database } from '../db/database.js';
import { AccountError } from './account-errors.js';

export interface StreamRecord {
  stream: string;
  appid: string;
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string })?.code === '23505';

export class StreamOwners {
  constructor(private readonly db: Database) {}

  /** Gives `stream` to the app `appid`; a stream has one owner. */
  async add(stream: string, appid: string): Promise<StreamRecord> {
    if (!streamNameSchema.safeParse(stream).success) {
      throw new AccountError('invalid', `"${stream}" is not a stream name (1-64 letters, digits, "_", "." and "-")`);
    }
    if (!(await this.db.query('select 1 from apps where appid = $1', [appid])).length) {
      throw new AccountError('not-found', `no app ${appid}`);
    }
    try {
      await this.db.query('insert into streams (name, appid) values ($1, $2)', [stream, appid]);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AccountError('exists', `stream ${stream} has an owner`);
      throw err;
    }
    return { stream, appid };
  }

  async remove(stream: string): Promise<void> {
    const rows = await this.db.query('delete from streams where name = $1 returning name', [stream]);
    if (!rows.length) throw new AccountError('not-found', `no registered stream ${stream}`);
  }

  /** The owning app's id, or undefined for a stream nobody registered. */
  async owner(stream: string): Promise<string | undefined> {
    const rows = await this.db.query<{ appid: string }>('select appid from streams where name = $1', [stream]);
    return rows[0]?.appid;
  }

  /** Registered streams, of one app or of all. */
  async list(appid?: string): Promise<StreamRecord[]> {
    return this.db.query<StreamRecord>(
      appid === undefined
        ? 'select name as stream, appid from streams order by name'
        : 'select name as stream, appid from streams where appid = $1 order by name',
      appid === undefined ? [] : [appid],
    );
  }
}
