/**
 * The CLI's side of the admin socket: sends one operation to the server running on a data directory, or,
 * when none runs there, opens the accounts database itself (embedded in the data directory, or the
 * PostgreSQL of `--db`) and runs the operation in-process: the same code either way (operations.ts).
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { AccountError } from '../accounts/account-errors.js';
import { AccountStore } from '../accounts/account-store.js';
import { AuditLog } from '../accounts/audit-log.js';
import { openDatabase } from '../db/open-database.js';
import { ADMIN_SOCKET } from './admin-socket.js';
import { runAdminOperation, type AdminOperation } from './operations.js';

/** A refusal from the server or the store: status as in HTTP, message for the operator. */
export class AdminError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminError';
    this.status = status;
  }
}

type SocketAnswer = { answered: true; status: number; body: string } | { answered: false };

function viaSocket(path: string, operation: AdminOperation): Promise<SocketAnswer> {
  const body = JSON.stringify(operation);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: path,
        path: '/admin',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ answered: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? resolve({ answered: false }) : reject(err),
    );
    req.end(body);
  });
}

/**
 * Runs one accounts operation: with `--db` (PostgreSQL) on the database directly; otherwise through the
 * running server's admin socket when one answers, else on the embedded database directly.
 */
export async function runOnAccounts(
  where: { dataDir: string; db?: string },
  operation: AdminOperation,
): Promise<unknown> {
  // With --db the database is shared (PostgreSQL): talk to it directly, whether or not a server runs here.
  if (where.db === undefined) {
    const answer = await viaSocket(join(where.dataDir, ADMIN_SOCKET), operation);
    if (answer.answered) {
      const json = JSON.parse(answer.body) as { result?: unknown; error?: { status: number; message: string } };
      if (answer.status !== 200 || json.error) {
        throw new AdminError(
          json.error?.status ?? answer.status,
          json.error?.message ?? `server answered ${answer.status}`,
        );
      }
      return json.result;
    }
  }
  const db = await openDatabase({ url: where.db, dataDir: where.dataDir });
  try {
    return await runAdminOperation({ accounts: new AccountStore(db), audit: new AuditLog(db) }, operation);
  } catch (err) {
    if (err instanceof AccountError) throw new AdminError(err.status, err.message);
    throw err;
  } finally {
    await db.close();
  }
}
