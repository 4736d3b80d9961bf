/**
 * The camera's own HTTP-FLV endpoint on the local network (`GET /live.flv`), like many IP cameras have.
 * Off by default; `xp2p device --http-port N` turns it on. The benchmark uses it as the direct baseline
 * for P2P TTFF, since it serves the very same live feed (GOP cache start, same backpressure).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveFeed } from './live-streams.js';

export interface DirectHttpServer {
  url: string;
  close(): Promise<void>;
}

export async function startDirectHttp(feed: LiveFeed, port: number, host = '127.0.0.1'): Promise<DirectHttpServer> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method !== 'GET' || !req.url?.startsWith('/live.flv')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store' });
    const unsubscribe = feed.subscribe({
      write: (bytes) => void res.write(bytes),
      bufferedAmount: () => res.writableLength,
    });
    res.on('close', unsubscribe);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}/live.flv`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
