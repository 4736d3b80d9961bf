/**
 * The life of a mirror (in-process nodes on a real redis-server): a node asked for a stream published on
 * another node copies it with the same epoch and hashes; it keeps copying while someone here watches, stops
 * once nobody has for `mirrorIdleMs`, and a later request opens a new mirror.
 */
import { streamManifestSchema, streamRecordVerifier } from '@xp2p/protocol';
import { createDevConfig, startServer, type RunningServer } from '@xp2p/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@xp2p/testing';
import { fixture, loopedFixtureTags } from '@xp2p/testing/server';
import { startRedis, type RedisProcess } from './redis-process.js';

let redis: RedisProcess;
let a: RunningServer;
let b: RunningServer;
const logsB: string[] = [];
const IDLE_MS = 1_000;

beforeAll(async () => {
  redis = await startRedis();
  const config = createDevConfig();
  const node = (log: (l: string) => void) =>
    startServer({
      config,
      host: '127.0.0.1',
      port: 0,
      stunPort: 0,
      redis: redis.url,
      log,
      tuning: { mirrorIdleMs: IDLE_MS },
    });
  a = await node(() => {});
  b = await node((l) => logsB.push(l));
  await waitUntil(() => a.ready() && b.ready(), { what: 'both nodes ready on redis' });
}, 30_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
});

const manifestOf = async (server: RunningServer) =>
  (await (await fetch(`${server.url}/live/idle/manifest.json`)).json()) as {
    epoch: string;
    live: boolean;
    chunks: { seq: number; hash: string }[];
  };

describe('a mirror', () => {
  it('copies the stream with the same epoch and hashes, lives while watched, stops when idle, reopens on demand', async () => {
    const publisher = a.origin.openPublisher('idle');
    publisher.setHeader(fixture.header);
    for (const tag of loopedFixtureTags(5)) publisher.push(tag); // 10 s of media; the stream stays live

    const onA = await manifestOf(a);
    const onB = await manifestOf(b); // opens the mirror
    expect(onB.epoch).toBe(onA.epoch);
    expect(onB.live).toBe(true);
    const hashesA = new Map(onA.chunks.map((c) => [c.seq, c.hash]));
    expect(onB.chunks.length).toBeGreaterThan(0);
    for (const c of onB.chunks) expect(c.hash).toBe(hashesA.get(c.seq));
    expect(b.origin.stream('idle')?.live).toBe(true);
    // the mirror relays the origin node's signatures as they came: B's records check with the stream's key,
    // which both nodes name alike (B derives it; it signs nothing itself)
    const pk = a.origin.publicKeyOf('idle')!;
    expect(b.origin.publicKeyOf('idle')).toBe(pk);
    const verify = await streamRecordVerifier(pk);
    const signedOnB = streamManifestSchema.parse(await (await fetch(`${b.url}/live/idle/manifest.json`)).json());
    expect(await verify('idle', signedOnB.epoch, { init: signedOnB.init })).toBe(true);
    for (const chunk of signedOnB.chunks) expect(await verify('idle', signedOnB.epoch, { chunk })).toBe(true);

    // An HTTP-FLV viewer on B keeps the mirror in use well past the idle time.
    const viewer = new AbortController();
    const res = await fetch(`${b.url}/live/idle.flv`, { signal: viewer.signal });
    expect(res.status).toBe(200);
    const reading = (async () => {
      try {
        for await (const _ of res.body!) void _;
      } catch {
        /* aborted */
      }
    })();
    await new Promise((r) => setTimeout(r, 3 * IDLE_MS));
    expect(b.origin.stream('idle')?.live).toBe(true);

    // Nobody left on B: the mirror stops within about the idle time.
    viewer.abort();
    await reading;
    await expect.poll(() => b.origin.stream('idle')?.live, { timeout: 4 * IDLE_MS }).toBe(false);
    expect(logsB.some((l) => /mirror of idle: unused/.test(l))).toBe(true);
    expect(a.origin.stream('idle')?.live).toBe(true);

    // Asked again: a new mirror of the same publish.
    const again = await manifestOf(b);
    expect(again.live).toBe(true);
    expect(again.epoch).toBe(onA.epoch);
    publisher.end();
    await expect.poll(async () => (await manifestOf(b)).live, { timeout: 5_000 }).toBe(false);
  }, 30_000);

  it('Redis restarted: the origin node registers its stream again, so another node still finds it', async () => {
    const publisher = a.origin.openPublisher('after-restart');
    publisher.setHeader(fixture.header);
    for (const tag of loopedFixtureTags(3)) publisher.push(tag);
    await redis.restart(); // an empty Redis: every key is gone
    await expect.poll(() => a.ready() && b.ready(), { timeout: 15_000 }).toBe(true);
    // written again by A's refresh as soon as it is reconnected
    const manifest = async () => {
      const res = await fetch(`${b.url}/live/after-restart/manifest.json`);
      return res.ok ? ((await res.json()) as { epoch: string }).epoch : res.status;
    };
    await expect.poll(manifest, { timeout: 5_000 }).toBe(a.origin.stream('after-restart')?.epoch);
    publisher.end();
  }, 30_000);
});
