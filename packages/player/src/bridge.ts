/**
 * The seed's p2p-player role: a local HTTP-FLV endpoint fed by the sdk, so any player (ffplay, VLC,
 * mpv, mpegts.js) can open `http://127.0.0.1:16080/<token>/<productId>/<deviceName>/ipc.flv?action=live`
 * (the token is random per run; bridge-guard.ts says who else may call it).
 * Each HTTP request is one P2P service; closing the HTTP client stops it. A port it cannot listen on
 * rejects with the guide's -2301 (XP2PError LOCAL_SERVER_ERROR).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, liveQuery, XP2PError } from '@xp2p/protocol';
import type { P2PModule } from '@xp2p/sdk';
import { checkBridgeRequest, newBridgeToken, type BridgeGuardConfig } from './bridge-guard.js';

/** Defaults of {@link startPlayerBridge}. */
export const BRIDGE_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 16080,
  /** An HTTP client this far behind the live stream is dropped rather than buffered without bound. */
  maxClientBacklogBytes: 16 * 1024 * 1024,
});

/** What {@link startPlayerBridge} needs: an initialised p2pModule and a way to get a camera's xp2pInfo. */
export interface PlayerBridgeOptions {
  p2p: P2PModule;
  /** Gets a fresh xp2pInfo for a device (usually fetchXp2pInfo against the server). */
  resolveXp2pInfo: (productId: string, deviceName: string) => Promise<string>;
  host?: string;
  port?: number;
  /** Page origins allowed to read streams (CORS); none by default: native players send no Origin. */
  allowedOrigins?: readonly string[];
  /** The per-run path token; random by default (tests and embedders may fix it). */
  token?: string;
  /** receives one human-readable line per event (stream opened, closed, failed) */
  log?: (line: string) => void;
}

/** A running bridge: local HTTP-FLV URLs any player opens. */
export interface PlayerBridge {
  /** Base URL with the token, e.g. http://127.0.0.1:16080/<token>; append /<productId>/<deviceName>/ipc.flv?... */
  url: string;
  port: number;
  /** The URL a player opens for a device's live view. */
  liveUrl(productId: string, deviceName: string, params?: string): string;
  /** Stops every stream it serves and closes its HTTP server. */
  close(): Promise<void>;
}

let bridgeRequestCounter = 0;

/** Serves cameras as local HTTP-FLV (`/PRODUCT/DEVICE/ipc.flv?action=live...`), fed by the sdk over P2P, for ffplay, VLC, mpv or any player. */
export async function startPlayerBridge(o: PlayerBridgeOptions): Promise<PlayerBridge> {
  const log = o.log ?? (() => {});
  const active = new Set<string>();
  const guard: BridgeGuardConfig = {
    token: o.token ?? newBridgeToken(),
    host: o.host ?? BRIDGE_DEFAULTS.host,
    port: 0, // known once listening
    allowedOrigins: o.allowedOrigins ?? [],
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`bridge request failed: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end('internal error\n');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = checkBridgeRequest(req, guard);
    if (!verdict.ok) {
      log(`bridge refused ${req.method ?? '?'} (${verdict.status}): ${verdict.reason}`);
      res.writeHead(verdict.status, { 'content-type': 'text/plain' }).end(`${verdict.reason}\n`);
      return;
    }
    const { productId, deviceName, path, search, corsOrigin } = verdict.target;
    const cors: Record<string, string> = corsOrigin
      ? { 'access-control-allow-origin': corsOrigin, vary: 'origin' }
      : {};
    let xp2pInfo: string;
    try {
      xp2pInfo = await o.resolveXp2pInfo(productId, deviceName);
    } catch (err) {
      const status = (err as { status?: number }).status;
      res
        .writeHead(status === 404 || status === 409 ? 404 : 502, { 'content-type': 'text/plain' })
        .end(
          `cannot get xp2pInfo for ${productId}/${deviceName}: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      return;
    }
    const id = `bridge-${++bridgeRequestCounter}`;
    active.add(id);
    let finished = false;
    const stop = () => {
      if (finished) return;
      finished = true;
      active.delete(id);
      o.p2p.stopP2PService(id);
    };
    req.on('close', stop);
    res.on('close', stop);
    log(`bridge ${id}: ${productId}/${deviceName}/${path}${search}`);
    const code = await o.p2p.startP2PService(
      id,
      { url: `http://XP2P_INFO.xnet/ipc.p2p.com/${path}${search}`, productId, deviceName, xp2pInfo },
      {
        msgCallback(event, subtype, detail) {
          if (event === 'log') return log(`bridge ${id}: ${String(detail)}`);
          if (subtype === 'parsed') {
            const { status, headers } = detail as { status: number; headers: Record<string, string> };
            if (status >= 200 && status < 300) {
              res.writeHead(status, {
                'content-type': headers['content-type'] ?? 'video/x-flv',
                'cache-control': 'no-store',
                ...cors,
              });
            } else {
              res
                .writeHead(status, { 'content-type': 'text/plain' })
                .end(`camera answered ${status}: ${headers['x-reason'] ?? ''}\n`);
            }
          } else if (subtype === 'eof') {
            res.end();
            stop();
          } else if (subtype === 'disconnect' || subtype === 'close') {
            // the link is gone, or the stream was cut while it lives: either way this response has ended
            log(`bridge ${id}: ${subtype === 'close' ? 'stream closed' : 'disconnected'}`);
            res.destroy();
            stop();
          }
        },
        dataCallback(data) {
          if (res.writableLength > BRIDGE_DEFAULTS.maxClientBacklogBytes) {
            log(`bridge ${id}: client too slow, dropping it`);
            res.destroy();
            return;
          }
          res.write(new Uint8Array(data));
        },
      },
    );
    if (code !== 0 && !res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`P2P failed (${code}): ${o.p2p.lastError(id) ?? ''}\n`);
      stop();
    }
  }

  await new Promise<void>((resolve, reject) => {
    const where = `${o.host ?? BRIDGE_DEFAULTS.host}:${o.port ?? BRIDGE_DEFAULTS.port}`;
    // the guide's -2301 (the local server cannot start): the port is taken, or the address is not ours
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new XP2PError(ErrorCode.LOCAL_SERVER_ERROR, `cannot listen on ${where}: ${err.code ?? err.message}`)),
    );
    server.listen(o.port ?? BRIDGE_DEFAULTS.port, o.host ?? BRIDGE_DEFAULTS.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard.port = port;
  const host = o.host ?? BRIDGE_DEFAULTS.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}/${guard.token}`;
  return {
    url: base,
    port,
    liveUrl: (p, d, params = liveQuery()) => `${base}/${p}/${d}/ipc.flv?${params}`,
    async close() {
      for (const id of [...active]) o.p2p.stopP2PService(id);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
