/**
 * Serves the built web app from `webRoot` at `/` (GET and HEAD only). Every request path is decoded,
 * resolved against the root and refused unless it stays inside it (after symlinks too), so `..`, encoded
 * `%2e%2e` or a symlink out of the root never reach another file. HTML is `no-cache` (a new deploy shows at
 * once); other assets are left to the browser's heuristics.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { contentTypeOf } from '@xp2p/protocol';
import { HttpError, methodNotAllowed } from '../errors.js';

export interface StaticFiles {
  /** Answers the request from the web root; false when no such file exists (the caller answers 404). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

export function staticFiles(webRoot: string): StaticFiles {
  const root = resolve(webRoot);
  // realpath once the first time: the root itself may be a symlink (e.g. a deploy's "current" link).
  let realRoot: Promise<string> | undefined;
  const inside = (dir: string, file: string): boolean => file === dir || file.startsWith(dir + sep);

  return {
    async serve(req, res, path) {
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        throw methodNotAllowed(res, method, path, ['GET', 'HEAD']);
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        throw new HttpError(400, 'bad percent-encoding in path');
      }
      if (decoded.includes('\0')) throw new HttpError(400, 'bad path');
      const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
      const candidate = resolve(join(root, relative));
      if (!inside(root, candidate)) throw new HttpError(403, 'path outside the web root');
      let file: string;
      try {
        file = await realpath(candidate);
        realRoot ??= realpath(root);
        if (!inside(await realRoot, file)) throw new HttpError(403, 'path outside the web root');
        const info = await stat(file);
        if (info.isDirectory()) {
          // "/app" → "/app/" so relative asset URLs inside its index.html resolve correctly
          res.writeHead(301, { location: `${path}/` });
          res.end();
          return true;
        }
        if (!info.isFile()) return false;
        const type = contentTypeOf(extname(file));
        res.writeHead(200, {
          'content-type': type,
          'content-length': info.size,
          'last-modified': info.mtime.toUTCString(),
          'x-content-type-options': 'nosniff',
          // the app is small and changes with every build
          'cache-control': 'no-cache',
        });
      } catch (err) {
        if (err instanceof HttpError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw err;
      }
      if (method === 'HEAD') {
        res.end();
        return true;
      }
      await new Promise<void>((done) => {
        const stream = createReadStream(file);
        stream.on('error', () => {
          res.destroy();
          done();
        });
        res.on('close', () => {
          stream.destroy();
          done();
        });
        stream.pipe(res);
      });
      return true;
    },
  };
}
