import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isScriptTag, isSequenceHeader, parseFlv, startsGop, type FlvTag } from '@xp2p/protocol';
import { LiveHandler } from '../live-handler.js';
import { LiveHub } from '../media/live-hub.js';
import { decodeErrors, waitUntil } from '@xp2p/testing';
import type { RecordingsStore } from '../recordings/recordings-store.js';
import { createRouter } from '../router.js';
import { recordSample, ask, request } from '@xp2p/testing/device';

const T0 = 1_790_000_000;
let dir: string;
let store: RecordingsStore;
let router: ReturnType<typeof createRouter>;
const hub = new LiveHub();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-play-'));
  // 30 s of recordings in 4 s segments
  store = await recordSample(join(dir, 'store'), { startS: T0, passes: 3, segmentSeconds: 4 });
  router = createRouter({ live: new LiveHandler(hub, 4), channels: 1, recordings: store });
});
afterAll(async () => {
  hub.close();
  await rm(dir, { recursive: true, force: true });
});

const media = (tags: FlvTag[]) => tags.filter((t) => !isScriptTag(t) && !isSequenceHeader(t));

async function decodes(bytes: Uint8Array): Promise<string> {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}.flv`);
  writeFileSync(file, bytes);
  return decodeErrors(file);
}

describe('playback', () => {
  it('plays a range across several segment files as one continuous, decodable FLV', async () => {
    const from = T0 + 2;
    const to = T0 + 15;
    const files = store.inRange(from, to);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const res = await ask(router, 'ipc.flv', `action=playback&channel=0&start_time=${from}&end_time=${to}&rate=max`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('video/x-flv');
    expect(res.ended).toBe(true);
    const { tags } = parseFlv(res.body()); // one header: a second would not parse
    expect(tags.filter(isScriptTag).length).toBe(1);
    expect(tags.filter(isSequenceHeader).length).toBe(2); // the same config in every segment: sent once
    const m = media(tags);
    expect(startsGop(m[0]!)).toBe(true);
    expect(m[0]!.timestamp).toBe(0);
    for (let i = 1; i < tags.length; i++) expect(tags[i]!.timestamp).toBeGreaterThanOrEqual(tags[i - 1]!.timestamp);
    // started at the keyframe at or before +2 s (1 s GOPs) and ran to +15 s: 13..14 s of media
    const span = m[m.length - 1]!.timestamp - m[0]!.timestamp;
    expect(span).toBeGreaterThan(12_800);
    expect(span).toBeLessThan(14_200);
    expect(await decodes(res.body())).toBe('');
  });

  it('is paced at speed × real time', async () => {
    const t0 = performance.now();
    const res = await ask(router, 'ipc.flv', `action=playback&start_time=${T0 + 4}&end_time=${T0 + 12}&speed=16`);
    const elapsed = performance.now() - t0;
    expect(res.ended).toBe(true);
    expect(elapsed).toBeGreaterThan((8000 / 16) * 0.8);
    expect(elapsed).toBeLessThan(3000);
  });

  it('refuses short ranges, bad speeds and empty ranges', async () => {
    expect((await ask(router, 'ipc.flv', `action=playback&start_time=${T0}&end_time=${T0 + 4}`)).status).toBe(400);
    expect((await ask(router, 'ipc.flv', `action=playback&start_time=${T0}&end_time=${T0 + 9}&speed=17`)).status).toBe(
      400,
    );
    expect((await ask(router, 'ipc.flv', `action=playback&start_time=${T0}`)).status).toBe(400);
    expect((await ask(router, 'ipc.flv', `action=playback&start_time=${T0 - 100}&end_time=${T0 - 10}`)).status).toBe(
      404,
    );
  });

  it('seeks at any moment continue one timeline: decode and picture times never go back', async () => {
    const session = 'viewer-seeks';
    const play = request(router, 'ipc.flv', `action=playback&start_time=${T0}&end_time=${T0 + 29}&speed=8`, session);
    const cmd = (c: string) => ask(router, 'ipc.flv', `action=inner_define&channel=0&cmd=${c}`, session);
    // seeks land wherever the stream happens to be: after an audio tag, a P-frame shown after later B-frames...
    for (const [i, to] of [3, 9, 5, 14, 7, 20, 11, 17, 2, 24].entries()) {
      await new Promise((r) => setTimeout(r, 90 + 37 * i));
      expect((await cmd(`playback_seek&time=${T0 + to}`)).status).toBe(200);
    }
    await play.finished;
    expect(play.ended).toBe(true);
    expect(await decodes(play.body())).toBe('');
  });

  it('pause, resume, seek and progress act on the same session’s playback only', async () => {
    const session = 'viewer-a';
    const play = request(router, 'ipc.flv', `action=playback&start_time=${T0}&end_time=${T0 + 29}&speed=4`, session);
    await new Promise((r) => setTimeout(r, 300));
    const cmd = (c: string, s = session) => ask(router, 'ipc.flv', `action=inner_define&channel=0&cmd=${c}`, s);

    // another viewer's session has no playback to control
    const stranger = await cmd('playback_pause', 'viewer-b');
    expect(stranger.status).toBe(404);
    expect(stranger.json()).toEqual({ error: expect.any(String) });

    const paused = await cmd('playback_pause');
    expect(paused.json()).toEqual({ time: expect.any(Number), start_time: T0, end_time: T0 + 29, paused: true });
    const before = play.body().byteLength;
    await new Promise((r) => setTimeout(r, 300));
    expect(play.body().byteLength).toBe(before); // nothing sent while paused
    expect(((await cmd('playback_progress')).json() as { paused: boolean }).paused).toBe(true);

    expect((await cmd(`playback_seek&time=${T0 + 40}`)).status).toBe(400);
    const seek = await cmd(`playback_seek&time=${T0 + 22}`);
    expect((seek.json() as { time: number }).time).toBe(T0 + 22);
    await cmd('playback_resume');
    await new Promise((r) => setTimeout(r, 150));
    const progress = (await cmd('playback_progress')).json() as { time: number; paused: boolean };
    expect(progress.paused).toBe(false);
    // landed on the keyframe at or before +22 s (1 s GOPs), and moving on from there
    expect(progress.time).toBeGreaterThanOrEqual(T0 + 21);
    expect(progress.time).toBeLessThanOrEqual(T0 + 23);

    await play.finished;
    expect(play.ended).toBe(true);
    const { tags } = parseFlv(play.body());
    for (let i = 1; i < tags.length; i++) expect(tags[i]!.timestamp).toBeGreaterThanOrEqual(tags[i - 1]!.timestamp);
    // about 1.2 s played before the pause (speed 4), then +22..+29 s: far less than the 29 s range
    const m = media(tags);
    const span = m[m.length - 1]!.timestamp - m[0]!.timestamp;
    expect(span).toBeGreaterThan(7_000);
    expect(span).toBeLessThan(12_000);
    expect(await decodes(play.body())).toBe('');
    expect((await cmd('playback_progress')).status).toBe(404); // over
  });

  it('stops reading when the viewer leaves', async () => {
    const play = request(router, 'ipc.flv', `action=playback&start_time=${T0}&end_time=${T0 + 29}&speed=1`);
    await waitUntil(() => play.body().byteLength > 0, { intervalMs: 10, what: 'the playback to start sending' });
    play.closeByViewer();
    const sent = play.body().byteLength;
    await new Promise((r) => setTimeout(r, 300));
    expect(play.body().byteLength).toBe(sent);
    expect(play.ended).toBe(false);
  });
});
