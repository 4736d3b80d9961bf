import { createHash } from 'node:crypto';
import { concatBytes, START_HEADERS, streamManifestSchema, type StreamManifest } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startTestServer,
  type TestServer,
  fixture,
  FIXTURE_MS,
  loopedFixtureTags,
  readAll,
} from '@xp2p/testing/server';
import { probeFlv } from '@xp2p/testing';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const get = (path: string): Promise<Response> => fetch(t!.server.url + path);
const manifestOf = async (name: string): Promise<StreamManifest> =>
  streamManifestSchema.parse(await (await get(`/live/${name}/manifest.json`)).json());
const originBytes = async (name: string): Promise<number> =>
  ((await (await get(`/api/streams/${name}/stats`)).json()) as { originBytes: number }).originBytes;
const newestKeyframe = (m: StreamManifest): number => Math.max(...m.chunks.filter((c) => c.keyframe).map((c) => c.seq));

describe('GET /live/NAME/start?lead=MS', () => {
  it('answers init + the start chunk in one body, named by headers, picked by announce age; counts the bytes', async () => {
    t = await startTestServer();
    const pub = t.server.origin.openPublisher('s');
    pub.setHeader(fixture.header);
    const tags = loopedFixtureTags(2);
    const secondLoop = tags.findIndex((tag) => tag.timestamp >= FIXTURE_MS);
    for (const tag of tags.slice(0, secondLoop)) pub.push(tag);
    const early = await manifestOf('s');
    await new Promise((r) => setTimeout(r, 600));
    for (const tag of tags.slice(secondLoop)) pub.push(tag);
    const all = await manifestOf('s');
    // the second loop's keyframe chunks are fresh: a lead of 400 ms reaches back to the first loop's
    expect(newestKeyframe(all)).toBeGreaterThan(newestKeyframe(early));

    const bytesBefore = await originBytes('s');
    const res = await get('/live/s/start?lead=400');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get(START_HEADERS.epoch)).toBe(pub.epoch);
    expect(res.headers.get(START_HEADERS.initId)).toBe(String(all.init.initId));
    expect(res.headers.get(START_HEADERS.initSize)).toBe(String(all.init.size));
    const seq = Number(res.headers.get(START_HEADERS.seq));
    expect(seq).toBe(newestKeyframe(early));
    const body = await readAll(res);
    const meta = all.chunks.find((c) => c.seq === seq)!;
    expect(body.byteLength).toBe(all.init.size + meta.size);
    // the same bytes as the immutable URLs, with the manifest's hashes
    const init = await readAll(await get(`/live/s/${pub.epoch}/init-${all.init.initId}.flv`));
    const chunk = await readAll(await get(`/live/s/${pub.epoch}/chunk-${seq}.bin`));
    expect(Buffer.from(body).equals(Buffer.from(concatBytes([init, chunk])))).toBe(true);
    expect(sha256(body.subarray(0, all.init.size))).toBe(all.init.hash);
    expect(sha256(body.subarray(all.init.size))).toBe(meta.hash);
    // a viewer can play it: it starts at a keyframe and decodes
    const probe = await probeFlv(body);
    expect(probe.decodeErrors).toBe('');
    expect(probe.packets.find((p) => p.codec_type === 'video')?.flags).toMatch(/^K/);
    expect((await originBytes('s')) - bytesBefore).toBe(body.byteLength + init.byteLength + chunk.byteLength);

    // lead 0: the newest keyframe chunk; a lead no chunk is old enough for: the oldest keyframe chunk held
    const fresh = await get('/live/s/start?lead=0');
    expect(fresh.headers.get(START_HEADERS.seq)).toBe(String(newestKeyframe(all)));
    await fresh.arrayBuffer();
    const oldest = await get('/live/s/start?lead=60000');
    expect(oldest.headers.get(START_HEADERS.seq)).toBe(String(all.chunks.find((c) => c.keyframe)!.seq));
    await oldest.arrayBuffer();
    pub.end();
  });

  it('refuses a bad lead with 400, a stream that is not live with 404', async () => {
    t = await startTestServer();
    const pub = t.server.origin.openPublisher('b');
    pub.setHeader(fixture.header);
    for (const tag of loopedFixtureTags(1)) pub.push(tag);
    for (const lead of ['', 'abc', '-1', '1.5', '1e3', '60001', '99999999']) {
      const res = await get(`/live/b/start?lead=${lead}`);
      expect(res.status, lead).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/lead/);
    }
    const missing = await get('/live/b/start');
    expect(missing.status).toBe(400);
    await missing.arrayBuffer();
    const unknown = await get('/live/nope/start?lead=2000');
    expect(unknown.status).toBe(404);
    await unknown.arrayBuffer();
    pub.end();
    const ended = await get('/live/b/start?lead=2000');
    expect(ended.status).toBe(404);
    expect(((await ended.json()) as { error: { message: string } }).error.message).toBe('stream b is not live');
  });
});
