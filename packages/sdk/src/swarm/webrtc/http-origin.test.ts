import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { START_HEADERS } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '@xp2p/testing';
import { HttpOriginClient } from './http-origin.js';

const chunk = { seq: 7, size: 3, initId: 0, timestamp: 0, duration: 1000, keyframe: true, hash: '' };
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real HTTP node answering chunk URLs with `status` and 3 bytes. */
async function node(status: number): Promise<string> {
  const server = createServer((_req, res) => {
    res.statusCode = status;
    res.end(Buffer.from([1, 2, 3]));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on (a dead node). */
async function deadNode(): Promise<string> {
  const url = await node(200);
  await new Promise((r) => servers.pop()!.close(r));
  return url;
}

describe('HttpOriginClient', () => {
  it('reports a node it cannot reach, and fetches from the node it was moved to', async () => {
    const dead = await deadNode();
    const unreachable: string[] = [];
    const client = new HttpOriginClient(fetch, dead, 'room', (base) => unreachable.push(base));
    client.epoch = 'e1';
    await expect(client.fetchChunk(chunk, new AbortController().signal)).rejects.toThrow();
    expect(unreachable).toEqual([dead]);
    client.moveTo(await node(200));
    expect([...(await client.fetchChunk(chunk, new AbortController().signal))]).toEqual([1, 2, 3]);
    expect(unreachable).toEqual([dead]);
  });

  it('an HTTP error or our own abort is not a dead node', async () => {
    const unreachable: string[] = [];
    const client = new HttpOriginClient(fetch, await node(404), 'room', (base) => unreachable.push(base));
    await expect(client.fetchChunk(chunk, new AbortController().signal)).rejects.toThrow(/HTTP 404/);
    const aborted = new AbortController();
    aborted.abort();
    await expect(client.fetchChunk(chunk, aborted.signal)).rejects.toThrow();
    expect(unreachable).toEqual([]);
  });

  it('moving aborts fetches still waiting on a node that stopped answering; the engine retries elsewhere', async () => {
    let requests = 0;
    const silent = createServer(() => void requests++); // accepts, never answers: a frozen node
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const frozen = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const unreachable: string[] = [];
    const client = new HttpOriginClient(fetch, frozen, 'room', (base) => unreachable.push(base));
    const waiting = client.fetchChunk(chunk, new AbortController().signal);
    await waitUntil(() => requests > 0, { intervalMs: 10, what: 'the request to reach the frozen node' });
    const started = Date.now();
    client.moveTo(await node(200));
    await expect(waiting).rejects.toThrow(/moved to/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(unreachable).toEqual([]);
    expect([...(await client.fetchChunk(chunk, new AbortController().signal))]).toEqual([1, 2, 3]);
    silent.closeAllConnections();
  });
  it('fetches a byte range with a Range header (206), and cuts it from a whole answer of a server without ranges', async () => {
    const body = Buffer.from([10, 11, 12, 13, 14, 15, 16, 17]);
    const seen: Array<string | undefined> = [];
    const ranged = createServer((req, res) => {
      seen.push(req.headers.range);
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!m) return res.end(body);
      res.writeHead(206, { 'content-range': `bytes ${m[1]}-${m[2]}/${body.length}` });
      res.end(body.subarray(Number(m[1]), Number(m[2]) + 1));
    });
    servers.push(ranged);
    await new Promise<void>((r) => ranged.listen(0, '127.0.0.1', r));
    const meta = { ...chunk, size: body.length };
    const client = new HttpOriginClient(fetch, `http://127.0.0.1:${(ranged.address() as AddressInfo).port}`, 'room');
    expect([...(await client.fetchChunk(meta, new AbortController().signal, [4, 8]))]).toEqual([14, 15, 16, 17]);
    expect(seen).toEqual(['bytes=4-7']);
    // a whole-chunk range is a plain GET
    expect((await client.fetchChunk(meta, new AbortController().signal, [0, 8])).byteLength).toBe(8);
    expect(seen[1]).toBeUndefined();
    await expect(client.fetchChunk(meta, new AbortController().signal, [6, 12])).rejects.toThrow(/bad range/);

    const plain = new HttpOriginClient(fetch, await node(200), 'room');
    expect([...(await plain.fetchChunk(chunk, new AbortController().signal, [1, 3]))]).toEqual([2, 3]);
  });

  it('fetchStart splits init and start chunk by the headers, and refuses an answer it cannot split', async () => {
    let headers: Record<string, string> = {};
    const paths: string[] = [];
    const start = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(200, headers);
      res.end(Buffer.from([1, 2, 3, 4, 5, 6]));
    });
    servers.push(start);
    await new Promise<void>((r) => start.listen(0, '127.0.0.1', r));
    const client = new HttpOriginClient(fetch, `http://127.0.0.1:${(start.address() as AddressInfo).port}`, 'room');
    const good = {
      [START_HEADERS.epoch]: 'epoch-42',
      [START_HEADERS.initId]: '3',
      [START_HEADERS.initSize]: '2',
      [START_HEADERS.seq]: '17',
    };
    headers = good;
    const r = await client.fetchStart(2000, new AbortController().signal);
    expect(paths).toEqual(['/live/room/start?lead=2000']);
    expect({ ...r, init: [...r.init], chunk: [...r.chunk] }).toMatchObject({
      epoch: 'epoch-42',
      initId: 3,
      seq: 17,
      init: [1, 2],
      chunk: [3, 4, 5, 6],
    });
    expect(r.firstByteMs).toBeGreaterThanOrEqual(0);
    for (const bad of [
      { ...good, [START_HEADERS.initSize]: '6' },
      { ...good, [START_HEADERS.initSize]: '0' },
      { ...good, [START_HEADERS.seq]: 'x' },
      { [START_HEADERS.initId]: '3', [START_HEADERS.initSize]: '2', [START_HEADERS.seq]: '17' },
    ]) {
      headers = bad;
      await expect(client.fetchStart(2000, new AbortController().signal)).rejects.toThrow(/x-xp2p-|init size/);
    }
    const missing = new HttpOriginClient(fetch, await node(404), 'room');
    await expect(missing.fetchStart(2000, new AbortController().signal)).rejects.toThrow(/HTTP 404/);
  });
});
