import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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
    const silent = createServer(() => {}); // accepts, never answers: a frozen node
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const frozen = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const unreachable: string[] = [];
    const client = new HttpOriginClient(fetch, frozen, 'room', (base) => unreachable.push(base));
    const waiting = client.fetchChunk(chunk, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 100));
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
});
