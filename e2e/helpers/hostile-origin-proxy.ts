/**
 * A hostile node (or path) between 1vN viewers and the origin, for whole-system tests: it forwards every HTTP
 * request and the tracker WebSocket to the real server (Host kept, so app signatures still check), and
 * swaps chunks: for every chunk whose seq `poison` picks, it rewrites the hash and piece hashes in the
 * tracker's announcements and in the manifest to those of poisoned bytes (the real chunk with POISON_MARKER
 * written into it), and serves those bytes at the chunk's URL. Without origin signatures a viewer has no way
 * to tell: the poisoned bytes match the hashes it was given. Half the swapped records keep the origin's
 * (now wrong) signature, half have it stripped.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chunkPieceRanges, type ChunkMeta } from '@xp2p/protocol';
import WebSocket, { WebSocketServer } from 'ws';

export const POISON_MARKER = Buffer.from('XP2P-POISON-XP2P-POISON-XP2P-POI');

export interface HostileProxy {
  url: string;
  /** seqs whose records were swapped (announced or listed) */
  readonly swapped: Set<number>;
  close(): Promise<void>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const CHUNK_PATH = /^\/live\/([^/]+)\/([^/]+)\/chunk-(\d+)\.bin$/;

export async function startHostileProxy(target: string, poison: (seq: number) => boolean): Promise<HostileProxy> {
  const swapped = new Set<number>();
  /** poisoned bytes by "stream/epoch/seq", made once from the real chunk */
  const poisoned = new Map<string, Promise<Buffer>>();
  const poisonedBytes = (stream: string, epoch: string, seq: number): Promise<Buffer> => {
    const key = `${stream}/${epoch}/${seq}`;
    let bytes = poisoned.get(key);
    if (!bytes) {
      bytes = fetch(`${target}/live/${stream}/${epoch}/chunk-${seq}.bin`).then(async (res) => {
        const real = Buffer.from(await res.arrayBuffer());
        POISON_MARKER.copy(real, Math.max(0, Math.min(200, real.length - POISON_MARKER.length)));
        return real;
      });
      poisoned.set(key, bytes);
    }
    return bytes;
  };
  const swap = async (stream: string, epoch: string, meta: ChunkMeta): Promise<ChunkMeta> => {
    if (!poison(meta.seq)) return meta;
    swapped.add(meta.seq);
    const bytes = await poisonedBytes(stream, epoch, meta.seq);
    const pieces = meta.pieceBytes
      ? chunkPieceRanges(bytes.length, meta.pieceBytes).map(([a, b]) => sha256(bytes.subarray(a, b)))
      : undefined;
    const { sig, ...rest } = meta;
    return {
      ...rest,
      hash: sha256(bytes),
      ...(pieces ? { pieces } : {}),
      ...(meta.seq % 2 === 0 && sig ? { sig } : {}),
    };
  };

  const server: Server = createServer((req, res) => void serveHttp(req, res));
  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const chunk = CHUNK_PATH.exec(path);
    if (chunk && poison(Number(chunk[3]))) {
      const bytes = await poisonedBytes(chunk[1]!, chunk[2]!, Number(chunk[3]));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      return void res.end(bytes);
    }
    const manifest = /^\/live\/([^/]+)\/manifest\.json$/.exec(path);
    if (manifest) {
      const upstream = await fetch(`${target}${req.url}`);
      const m = (await upstream.json()) as { stream: string; epoch: string; chunks: ChunkMeta[] };
      m.chunks = await Promise.all(m.chunks.map((c) => swap(m.stream, m.epoch, c)));
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(m));
    }
    const up = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  // the tracker socket: the peer's messages pass as they are, the tracker's announcements are swapped
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    sockets.handleUpgrade(req, socket, head, (client) => {
      const upstream = new WebSocket(`${target.replace(/^http/, 'ws')}${req.url}`, {
        headers: { host: req.headers.host ?? '' },
      });
      // forwarded as the text they are (the server refuses binary messages where it expects JSON)
      const early: string[] = [];
      let toClient: Promise<unknown> = Promise.resolve();
      client.on('message', (data) => {
        const text = String(data);
        if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
        else early.push(text);
      });
      upstream.on('open', () => early.splice(0).forEach((d) => upstream.send(d)));
      upstream.on('message', (data) => {
        toClient = toClient.then(async () => {
          const msg = JSON.parse(String(data)) as {
            type: string;
            event?: { type: string; epoch: string; chunk: ChunkMeta };
          };
          if (msg.type === 'origin' && msg.event?.type === 'chunk') {
            msg.event.chunk = await swap(streamOf.get(client) ?? '', msg.event.epoch, msg.event.chunk);
          }
          client.send(JSON.stringify(msg));
        });
      });
      client.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; stream?: string };
        if (msg.type === 'join' && msg.stream) streamOf.set(client, msg.stream);
      });
      client.on('close', () => upstream.close());
      upstream.on('close', () => client.close());
      upstream.on('error', () => client.close());
    });
  });
  const streamOf = new WeakMap<WebSocket, string>();

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    swapped,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of sockets.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
