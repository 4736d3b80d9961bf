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
});
