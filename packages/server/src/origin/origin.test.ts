import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { concatBytes, originEventSchema, streamManifestSchema, type StreamManifest } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { publishKeyFor } from './publish-key.js';
import {
  startTestServer,
  type TestServer,
  ffmpegPublish,
  fixture,
  fixtureBytes,
  loopedFixtureTags,
  readAll,
  readNdjson,
} from '@xp2p/testing/server';
import { probeFlv, waitUntil } from '@xp2p/testing';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const get = (path: string, init?: RequestInit): Promise<Response> => fetch(t!.server.url + path, init);
const errorOf = async (res: Response): Promise<{ status: number; message: string }> =>
  ((await res.json()) as { error: { status: number; message: string } }).error;
const manifestOf = async (name: string): Promise<StreamManifest> =>
  streamManifestSchema.parse(await (await get(`/live/${name}/manifest.json`)).json());

/** Publishes the whole fixture in-process; the publisher stays open (the last chunk too) unless `end`. */
function publishFixture(name: string, options: { end?: boolean; loops?: number } = {}) {
  const pub = t!.server.origin.openPublisher(name);
  pub.setHeader(fixture.header);
  for (const tag of loopedFixtureTags(options.loops ?? 1)) pub.push(tag);
  if (options.end) pub.end();
  return pub;
}

describe('chunk URLs and manifest', () => {
  it('lists chunks whose hashes match the bytes served at their immutable URLs', async () => {
    t = await startTestServer();
    const pub = publishFixture('cam', { end: true });
    const manifest = await manifestOf('cam');
    expect(manifest).toMatchObject({ v: 1, stream: 'cam', epoch: pub.epoch, live: false, targetChunkMs: 500 });
    expect(manifest.chunks.length).toBeGreaterThanOrEqual(4);
    expect(manifest.chunks.map((c) => c.seq)).toEqual(manifest.chunks.map((_, i) => i));

    const init = await get(`/live/cam/${pub.epoch}/init-0.flv`);
    expect(init.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const initBytes = await readAll(init);
    expect(sha256(initBytes)).toBe(manifest.init.hash);
    expect(init.headers.get('etag')).toBe(`"${manifest.init.hash}"`);

    const chunks: Uint8Array[] = [];
    for (const meta of manifest.chunks) {
      const res = await get(`/live/cam/${pub.epoch}/chunk-${meta.seq}.bin`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('etag')).toBe(`"${meta.hash}"`);
      const bytes = await readAll(res);
      expect(bytes.byteLength).toBe(meta.size);
      expect(sha256(bytes)).toBe(meta.hash);
      chunks.push(bytes);
    }
    // A cache revalidating gets 304 and no body.
    const first = manifest.chunks[0]!;
    const again = await get(`/live/cam/${pub.epoch}/chunk-0.bin`, { headers: { 'if-none-match': `"${first.hash}"` } });
    expect(again.status).toBe(304);

    // init + the chunks from the second keyframe chunk decode on their own.
    const start = manifest.chunks.filter((c) => c.keyframe)[1]!;
    const probe = await probeFlv(concatBytes([initBytes, ...chunks.slice(start.seq)]));
    expect(probe.decodeErrors).toBe('');
    expect(probe.packets.find((p) => p.codec_type === 'video')?.flags).toMatch(/^K/);

    // Every byte sent counts as origin bytes (the 304 sent none).
    const stats = (await (await get('/api/streams/cam/stats')).json()) as { originBytes: number; chunks: number };
    expect(stats.originBytes).toBe(initBytes.byteLength + chunks.reduce((n, c) => n + c.byteLength, 0));
    expect(stats.chunks).toBe(manifest.chunks.length);
  });

  it('serves a single byte range of a chunk (206, Content-Range), 416 past the end, and counts only the range', async () => {
    t = await startTestServer();
    const pub = publishFixture('rng', { end: true });
    const meta = (await manifestOf('rng')).chunks.find((c) => c.size > 100)!;
    const url = `/live/rng/${pub.epoch}/chunk-${meta.seq}.bin`;
    const whole = await readAll(await get(url));
    const before = ((await (await get('/api/streams/rng/stats')).json()) as { originBytes: number }).originBytes;

    const mid = Math.floor(meta.size / 2);
    const head = await get(url, { headers: { range: `bytes=0-${mid - 1}` } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-${mid - 1}/${meta.size}`);
    const tail = await get(url, { headers: { range: `bytes=${mid}-` } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${mid}-${meta.size - 1}/${meta.size}`);
    // the two halves make the chunk whose hash the manifest lists
    const joined = concatBytes([await readAll(head), await readAll(tail)]);
    expect(sha256(joined)).toBe(meta.hash);
    expect(Buffer.from(joined).equals(Buffer.from(whole))).toBe(true);
    // an end past the size is clamped; a start past it is unsatisfiable
    const clamped = await get(url, { headers: { range: `bytes=${meta.size - 10}-${meta.size + 50}` } });
    expect(clamped.status).toBe(206);
    expect((await readAll(clamped)).byteLength).toBe(10);
    const past = await get(url, { headers: { range: `bytes=${meta.size}-${meta.size + 5}` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${meta.size}`);
    await past.arrayBuffer();
    // several ranges are not taken: the whole chunk, 200
    const multi = await get(url, { headers: { range: 'bytes=0-1,5-6' } });
    expect(multi.status).toBe(200);
    expect((await readAll(multi)).byteLength).toBe(meta.size);

    const after = ((await (await get('/api/streams/rng/stats')).json()) as { originBytes: number }).originBytes;
    expect(after - before).toBe(meta.size + 10 + meta.size);
  });

  it('answers 404 quickly for a chunk not produced yet, 410 for one that left the window', async () => {
    t = await startTestServer({ tuning: { originWindowMs: 2_000 } });
    const pub = publishFixture('long', { loops: 5 }); // 10 s of media
    const manifest = await manifestOf('long');
    const span = manifest.chunks.reduce((ms, c) => ms + c.duration, 0);
    expect(span).toBeLessThanOrEqual(2_000 + 500);
    expect(manifest.chunks[0]!.seq).toBeGreaterThan(0);
    const gone = await get(`/live/long/${pub.epoch}/chunk-0.bin`);
    expect(gone.status).toBe(410);
    expect(await errorOf(gone)).toEqual({ status: 410, message: 'chunk 0 fell out of the window' });
    const began = Date.now();
    const future = await get(`/live/long/${pub.epoch}/chunk-${manifest.chunks.at(-1)!.seq + 1}.bin`);
    expect(future.status).toBe(404);
    expect(Date.now() - began).toBeLessThan(1_000);
    expect((await get(`/live/long/wrongepoch1/chunk-1.bin`)).status).toBe(404);
    pub.end();
  });

  it('answers 404 JSON for an unknown stream on every route', async () => {
    t = await startTestServer();
    for (const path of [
      '/live/nope.flv',
      '/live/nope/manifest.json',
      '/live/nope/feed',
      '/live/nope/abcdefgh/chunk-0.bin',
      '/api/streams/nope/stats',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((await errorOf(res)).message).toMatch(/nope/);
    }
  });

  it('keeps an ended stream for the retention time, then drops it; the old epoch answers 410', async () => {
    t = await startTestServer({ tuning: { endedStreamRetainMs: 150 } });
    const old = publishFixture('r', { end: true });
    expect((await get(`/live/r/${old.epoch}/chunk-0.bin`)).status).toBe(200);
    await waitUntil(async () => (await get('/live/r/manifest.json')).status === 404, {
      what: 'the ended stream to be dropped after its retention time',
    });
    const next = publishFixture('r');
    expect(next.epoch).not.toBe(old.epoch);
    expect((await get(`/live/r/${old.epoch}/chunk-0.bin`)).status).toBe(410);
    next.end();
  });
});

describe('HTTP-FLV', () => {
  it('starts at the latest keyframe, follows live, ends when the publisher stops, and decodes', async () => {
    t = await startTestServer();
    const pub = t.server.origin.openPublisher('live1');
    pub.setHeader(fixture.header);
    const tags = fixture.tags;
    // Up to 1.6 s: the keyframe chunk at 1 s is closed (cut at 1.5 s), so a viewer starts there.
    const half = tags.findIndex((tag) => tag.timestamp >= 1_600);
    for (const tag of tags.slice(0, half)) pub.push(tag);
    const res = await get('/live/live1.flv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/x-flv');
    const body = readAll(res);
    for (const tag of tags.slice(half)) pub.push(tag);
    pub.end();
    const bytes = await body; // resolves only because the response ended with the publish
    const probe = await probeFlv(bytes);
    expect(probe.decodeErrors).toBe('');
    const video = probe.packets.filter((p) => p.codec_type === 'video');
    expect(video[0]?.flags).toMatch(/^K/);
    expect(video).toHaveLength(15); // from the keyframe at 1 s to the end: 1 s at 15 fps
    const stats = (await (await get('/api/streams/live1/stats')).json()) as { originBytes: number };
    expect(stats.originBytes).toBe(bytes.byteLength);
  });

  it('is 404 once the stream is no longer live', async () => {
    t = await startTestServer();
    publishFixture('done', { end: true });
    const res = await get('/live/done.flv');
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ status: 404, message: 'stream done is not live' });
  });
});

describe('publishing over HTTP', () => {
  const post = (name: string, master: string | undefined, body: Uint8Array): Promise<Response> =>
    fetch(`${t!.server.url}/live/${name}${master === undefined ? '' : `?key=${publishKeyFor(master, name)}`}`, {
      method: 'POST',
      body: Readable.toWeb(Readable.from([body])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);

  it('refuses a missing or wrong key with 403 and a second publisher with 409', async () => {
    t = await startTestServer();
    expect((await post('k', undefined, fixtureBytes)).status).toBe(403);
    const wrong = await post('k', 'not-the-master-key', fixtureBytes);
    expect(wrong.status).toBe(403);
    expect(await errorOf(wrong)).toEqual({ status: 403, message: 'missing or wrong publish key' });
    const first = t.server.origin.openPublisher('k');
    const second = await post('k', t.config.publishKey, fixtureBytes);
    expect(second.status).toBe(409);
    expect((await errorOf(second)).message).toBe('stream k is already being published');
    first.end();
  });

  it('accepts a chunked FLV body with the key; the stream ends with the body', async () => {
    t = await startTestServer();
    const res = await post('up', t.config.publishKey, fixtureBytes);
    expect(res.status).toBe(200);
    const { epoch } = (await res.json()) as { epoch: string };
    const manifest = await manifestOf('up');
    expect(manifest).toMatchObject({ epoch, live: false });
    expect(manifest.chunks.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses bytes that are not FLV with 400', async () => {
    t = await startTestServer();
    const res = await post('bad', t.config.publishKey, new TextEncoder().encode('GIF89a not a video'));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/bad FLV/);
  });

  it('takes ffmpeg -re … -f flv http://…/live/NAME?key=KEY; HTTP-FLV viewers get a decodable stream that ends with it', async () => {
    t = await startTestServer();
    const ffmpeg = ffmpegPublish(`${t.server.url}/live/ff?key=${publishKeyFor(t.config.publishKey, 'ff')}`, 3);
    // Wait until the stream is live, then watch it.
    const res = await waitUntil(
      async () => {
        const attempt = await get('/live/ff.flv');
        return attempt.status === 200 ? attempt : undefined;
      },
      { timeoutMs: 10_000, what: '/live/ff.flv to answer 200' },
    );
    const feed = await get('/live/ff/feed');
    const [bytes, lines, code] = await Promise.all([readAll(res), readNdjson(feed), ffmpeg.exited]);
    expect(code).toBe(0);
    const probe = await probeFlv(bytes);
    expect(probe.decodeErrors).toBe('');
    expect(probe.packets.filter((p) => p.codec_type === 'video').length).toBeGreaterThan(15);
    // The feed: every line an OriginEvent, first the init, last the eof.
    const events = lines.map((l) => originEventSchema.parse(l));
    expect(events[0]?.type).toBe('init');
    expect(events.at(-1)?.type).toBe('eof');
    const chunkEvents = events.filter((e) => e.type === 'chunk');
    expect(chunkEvents.length).toBeGreaterThan(4);
    const eof = events.at(-1);
    expect(eof?.type === 'eof' && eof.lastSeq).toBe(
      chunkEvents.at(-1)!.type === 'chunk' ? chunkEvents.at(-1)!.chunk.seq : -1,
    );
  });
});

describe('pulling an upstream HTTP-FLV URL', () => {
  it('republishes it as another stream until the upstream ends', async () => {
    t = await startTestServer();
    const upstream = t.server.origin.openPublisher('up');
    upstream.setHeader(fixture.header);
    // Enough for a first closed keyframe chunk, so the upstream's HTTP-FLV starts at once.
    const firstPart = fixture.tags.findIndex((tag) => tag.timestamp >= 600);
    for (const tag of fixture.tags.slice(0, firstPart)) upstream.push(tag);
    const pull = t.server.origin.startPull('copy', `${t.server.url}/live/up.flv`);
    await waitUntil(() => t!.server.origin.stream('copy')?.init, { intervalMs: 20, what: "the copy's init" });
    for (const tag of fixture.tags.slice(firstPart)) upstream.push(tag);
    upstream.end();
    expect(await pull.done).toEqual({ reason: 'eof' });
    const manifest = await manifestOf('copy');
    expect(manifest.live).toBe(false);
    expect(manifest.chunks.length).toBeGreaterThanOrEqual(3);
  });

  it('reports an upstream refusal in done', async () => {
    t = await startTestServer();
    const pull = t.server.origin.startPull('x', `${t.server.url}/live/missing.flv`);
    const result = await pull.done;
    expect(result.reason).toBe('error');
    expect(result.reason === 'error' && result.error.message).toMatch(/HTTP 404/);
  });
});

describe('in-process publishing', () => {
  it('publishTags publishes an async source and refuses a second publisher while live', async () => {
    t = await startTestServer();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* source() {
      yield* fixture.tags.slice(0, 20);
      await gate;
      yield* fixture.tags.slice(20);
    }
    const done = t.server.origin.publishTags('p', source(), { header: fixture.header });
    await waitUntil(() => t!.server.origin.stream('p')?.live, { intervalMs: 5, what: 'stream p live' });
    expect(() => t!.server.origin.openPublisher('p')).toThrow(/already being published/);
    expect(() => t!.server.origin.openPublisher('bad name')).toThrow(/invalid stream name/);
    release();
    const epoch = await done;
    expect((await manifestOf('p')).epoch).toBe(epoch);
  });
});
