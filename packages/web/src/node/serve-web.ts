/**
 * A small server for the web app until (or where) the signalling server does not serve it itself: the
 * built files at `/`, and every other path (`/api/*`, `/signal/*`, `/live/*`, WebSocket upgrades)
 * passed through to the signalling server. The page and the API then share one origin, as they do behind
 * the server's own `webRoot`, so the browser needs no CORS and the page's default server is its origin.
 * Used by the browser tests and the TTFF bench; listens on loopback by default.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { contentTypeOf } from '@xp2p/protocol';
import { webRoot } from './web-root.js';

export interface ServeWebOptions {
  /** The signalling server to pass API and WebSocket requests to, e.g. http://127.0.0.1:18080 */
  upstream: string;
  root?: string;
  host?: string;
  port?: number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

export async function serveWeb(o: ServeWebOptions): Promise<WebServer> {
  const root = resolve(o.root ?? webRoot());
  const upstream = new URL(o.upstream);
  const sockets = new Set<Socket>();

  async function serveFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    let rel: string;
    try {
      rel = decodeURIComponent(path.endsWith('/') ? `${path}index.html` : path);
    } catch {
      return false;
    }
    const file = resolve(join(root, rel));
    if (!file.startsWith(root + sep)) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    res.writeHead(200, {
      'content-type': contentTypeOf(extname(file)),
      'content-length': info.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  }

  function proxy(req: IncomingMessage, res: ServerResponse): void {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // the client's Host stays: the server checks a sign-in's Origin against it (same origin)
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`signalling server unreachable: ${err.message}\n`);
    });
    req.pipe(out);
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://web').pathname;
    const mayBeFile = (req.method === 'GET' || req.method === 'HEAD') && !/^\/(api|signal|live)\//.test(path);
    (mayBeFile ? serveFile(req, res, path) : Promise.resolve(false))
      .then((served) => served || proxy(req, res))
      .catch(() => res.destroy());
  });

  // WebSocket: replay the upgrade request to the upstream and splice the two sockets together.
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const up = connect(Number(upstream.port || 80), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] ?? '';
        lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    for (const s of [up, client]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        up.destroy();
        client.destroy();
      });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
