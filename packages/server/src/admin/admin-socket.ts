/**
 * The operator's door into a running server: HTTP on a Unix socket in the data directory (`admin.sock`,
 * mode 0600 inside the 0700 data directory), so only the account that runs the server can use it; no
 * network port, no key to leak. The embedded database can be open in one process only, so `xp2p app add`
 * and friends go through here while the server runs. One route: POST /admin with an AdminOperation.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AccountError } from '../accounts/account-errors.js';
import { readBody } from '../http/read-body.js';
import { sendError, sendJson } from '../json-response.js';
import { isHttpError } from '../errors.js';
import { adminOperationSchema, runAdminOperation, type AdminContext } from './operations.js';

/** The admin socket's file name inside the data directory (owner-only permissions). */
export const ADMIN_SOCKET = 'admin.sock';
const MAX_BODY = 16 * 1024;

export interface AdminSocket {
  close(): Promise<void>;
}

async function handle(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/admin') return sendError(res, 404, 'POST /admin only');
  let json: unknown;
  try {
    json = JSON.parse((await readBody(req, MAX_BODY)).toString('utf8'));
  } catch (err) {
    if (isHttpError(err)) return sendError(res, err.status, err.message);
    return sendError(res, 400, 'body must be JSON');
  }
  const parsed = adminOperationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return sendError(
      res,
      400,
      `invalid operation: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
    );
  }
  try {
    sendJson(res, 200, { result: await runAdminOperation(ctx, parsed.data) });
  } catch (err) {
    if (err instanceof AccountError) return sendError(res, err.status, err.message);
    throw err;
  }
}

export async function listenAdminSocket(
  path: string,
  ctx: AdminContext,
  log: (line: string) => void,
): Promise<AdminSocket> {
  // The data directory may not exist yet (a server whose accounts live in PostgreSQL writes nothing else there);
  // owner-only, so nobody else reaches the socket in the moment before its own chmod below.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // A socket file left by a server that was killed would make listen fail with EADDRINUSE.
  await rm(path, { force: true });
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      log(`admin: internal error: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal server error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
