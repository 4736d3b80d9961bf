import { chmodSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHandler } from '../live-handler.js';
import { LiveHub } from '../media/live-hub.js';
import type { RecordingsStore } from '../recordings/recordings-store.js';
import { createRouter } from '../router.js';
import { fakeResponse, recordSample, ask, request } from '@xp2p/testing/device';
import { LiveStreams } from '../live-streams.js';
import { VoiceHandler } from '../voice/voice-handler.js';
import { wavFileVoiceSink } from '../voice/wav-file-sink.js';
import { loadCommandHandler } from './load-command-handler.js';
import type { CommandHandler } from './user-command.js';

const T0 = Date.UTC(2026, 10, 30, 23, 59, 55) / 1000; // 5 s before December (UTC)
let dir: string;
let store: RecordingsStore;
const hub = new LiveHub();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-cmd-'));
  store = await recordSample(join(dir, 'store'), { startS: T0, passes: 1, segmentSeconds: 4 });
  writeFileSync(join(dir, 'store', 'snap.jpg'), 'jpg');
});
afterAll(async () => {
  hub.close();
  await rm(dir, { recursive: true, force: true });
});

const inner = (router: ReturnType<typeof createRouter>, q: string) =>
  ask(router, 'ipc.flv', `action=inner_define&channel=0&cmd=${q}`);

describe('built-in commands', () => {
  const live = new LiveHandler(hub, 1);
  // made on first use, once beforeAll has made the temp dir
  let voice: VoiceHandler | undefined;
  const router = () => {
    voice ??= new VoiceHandler(wavFileVoiceSink(join(dir, 'voice')));
    return createRouter({ live, channels: 1, recordings: store, voice });
  };

  it('get_device_st: accept, too many viewers, voice busy, unsupported', async () => {
    const r = router();
    const st = async (q: string) => {
      const res = await inner(r, `get_device_st&${q}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      return res.json();
    };
    // no media yet: the source is starting
    const streams = [{ channel: 0, quality: 'high', source: 'starting' }];
    expect(await st('type=live&quality=high')).toEqual([
      { status: 0, appConnectNum: 0, source: 'starting', streams, oneToMany: 0 },
    ]);
    expect(await st('type=live&quality=ultra')).toEqual([{ status: 406, appConnectNum: 0, streams, oneToMany: 0 }]);
    expect(await st('type=video')).toEqual([{ status: 406, appConnectNum: 0 }]);
    const viewer = fakeResponse();
    live.serve(viewer); // the one live viewer this camera allows
    expect(await st('type=live')).toEqual([
      { status: 405, appConnectNum: 1, source: 'starting', streams, oneToMany: 0 },
    ]);
    viewer.closeByViewer();
    expect(await st('type=voice')).toEqual([{ status: 0, appConnectNum: 0 }]);
    const talk = fakeResponse();
    await voice!.serve(new URLSearchParams(''), talk, { sessionId: 's' });
    expect(await st('type=voice')).toEqual([{ status: 1, appConnectNum: 0 }]);
    talk.endUp();
    await talk.finished;
    const noVoice = createRouter({ live, channels: 1 });
    expect((await inner(noVoice, 'get_device_st&type=voice')).json()).toEqual([{ status: 406, appConnectNum: 0 }]);
  });

  it('get_device_st and live requests while the source is down: refuse with the reason, accept once it is back', async () => {
    const feed = new LiveHub();
    const handler = new LiveHandler(feed, 2);
    const r = createRouter({ live: handler, channels: 1 });
    feed.onDown(new Error('rtsp://cam/1: Connection refused'));
    expect((await inner(r, 'get_device_st&type=live')).json()).toEqual([
      {
        status: 1,
        appConnectNum: 0,
        source: 'down',
        sourceError: 'rtsp://cam/1: Connection refused',
        streams: [{ channel: 0, quality: 'high', source: 'down' }],
        oneToMany: 0,
      },
    ]);
    const refused = await ask(r, 'ipc.flv', 'action=live&channel=0');
    expect(refused.status).toBe(503);
    expect(refused.headers['x-reason']).toMatch(
      /camera source is down \(reopening\): rtsp:\/\/cam\/1: Connection refused/,
    );
    feed.onUp();
    feed.onTag({ type: 18, timestamp: 0, data: new Uint8Array([2, 0, 0]) });
    expect((await inner(r, 'get_device_st&type=live')).json()).toEqual([
      {
        status: 0,
        appConnectNum: 0,
        source: 'live',
        streams: [{ channel: 0, quality: 'high', source: 'live' }],
        oneToMany: 0,
      },
    ]);
    feed.close();
  });

  it('channels and qualities: each request gets its own stream, an unknown one 404, get_device_st lists them', async () => {
    const feeds = { high0: new LiveHub(), standard0: new LiveHub(), high1: new LiveHub() };
    const handler = new LiveHandler(
      new LiveStreams([
        { channel: 0, quality: 'high', feed: feeds.high0 },
        { channel: 0, quality: 'standard', feed: feeds.standard0 },
        { channel: 1, quality: 'high', feed: feeds.high1 },
      ]),
      4,
    );
    const r = createRouter({ live: handler, channels: 2 });
    const watch = (q: string) => request(r, 'ipc.flv', `action=live&${q}`);
    const standard = watch('channel=0&quality=standard');
    const best1 = watch('channel=1'); // no quality: the channel's best
    expect([feeds.high0.subscriberCount, feeds.standard0.subscriberCount, feeds.high1.subscriberCount]).toEqual([
      0, 1, 1,
    ]);
    expect([standard.status, best1.status]).toEqual([200, 200]);
    const missing = await ask(r, 'ipc.flv', 'action=live&channel=1&quality=standard');
    expect([missing.status, missing.headers['x-reason']]).toEqual([
      404,
      'channel 1 has no quality standard (it has high)',
    ]);
    expect((await ask(r, 'ipc.flv', 'action=live&channel=2')).status).toBe(404);
    const st = (await inner(r, 'get_device_st&type=live&quality=standard')).json() as Record<string, unknown>[];
    expect(st[0]).toMatchObject({ status: 0, appConnectNum: 2, source: 'starting' });
    expect(st[0]!.streams).toEqual([
      { channel: 0, quality: 'high', source: 'starting' },
      { channel: 0, quality: 'standard', source: 'starting' },
      { channel: 1, quality: 'high', source: 'starting' },
    ]);
    for (const hub of Object.values(feeds)) hub.close();
  });

  it('get_record_index, get_month_record, get_file_list', async () => {
    const r = router();
    const index = (await inner(r, `get_record_index&start_time=${T0}&end_time=${T0 + 6}`)).json();
    expect(index).toEqual({
      video_list: store.inRange(T0, T0 + 6).map((e) => ({ type: 0, start_time: e.start_time, end_time: e.end_time })),
    });
    expect((index as { video_list: unknown[] }).video_list.length).toBe(2);
    // the recording runs from 30 Nov into 1 Dec (UTC)
    expect((await inner(r, 'get_month_record&time=202611')).json()).toEqual({ month: '202611', days: 1 << 29 });
    expect((await inner(r, 'get_month_record&time=202612')).json()).toEqual({ month: '202612', days: 1 });
    expect((await inner(r, 'get_month_record&time=202613')).status).toBe(400);
    const files = (await inner(r, `get_file_list&start_time=${T0 - 10}&end_time=${T0 + 60}&file_type=0`)).json() as {
      file_list: Record<string, unknown>[];
    };
    expect(files.file_list.length).toBe(3);
    expect(Object.keys(files.file_list[0]!).sort()).toEqual(['end_time', 'file_name', 'file_size', 'start_time']);
    const others = (await inner(r, `get_file_list&start_time=0&end_time=${2 ** 40}&file_type=1`)).json();
    expect(others).toEqual({ file_list: [expect.objectContaining({ file_name: 'snap.jpg', file_size: 3 })] });
    expect((await inner(r, `get_file_list&start_time=${T0}&end_time=${T0 - 1}`)).status).toBe(400);
    // a camera without storage has nothing recorded
    const bare = createRouter({ live, channels: 1 });
    expect((await inner(bare, `get_record_index&start_time=${T0}&end_time=${T0 + 6}`)).json()).toEqual({
      video_list: [],
    });
  });

  it('unknown command is 404 with a JSON error', async () => {
    const res = await inner(router(), 'format_sd_card');
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: expect.stringContaining('format_sd_card') });
  });
});

describe('custom commands', () => {
  const live = new LiveHandler(hub, 4);
  const user = (onCommand: CommandHandler | undefined, cmd: string) =>
    ask(
      createRouter({ live, channels: 1, onCommand }),
      'ipc.flv',
      `action=user_define&channel=0&cmd=${encodeURIComponent(cmd)}`,
    );

  it('answers with what the handler returns, and tells it the session', async () => {
    const seen: string[] = [];
    const handler: CommandHandler = (cmd, ctx) => {
      seen.push(`${ctx.sessionId}:${cmd}`);
      if (cmd === 'ptz')
        return { status: 200, body: JSON.stringify({ result: 'ok' }), contentType: 'application/json' };
      if (cmd === 'bin') return { body: new Uint8Array([1, 2, 3]) };
      if (cmd === 'slow') return new Promise((r) => setTimeout(() => r('late'), 20));
      if (cmd === 'teapot') return { status: 418, body: 'no' };
      return undefined;
    };
    const ptz = await user(handler, 'ptz');
    expect([ptz.status, ptz.headers['content-type'], ptz.json()]).toEqual([200, 'application/json', { result: 'ok' }]);
    const bin = await user(handler, 'bin');
    expect([...bin.body()]).toEqual([1, 2, 3]);
    expect((await user(handler, 'slow')).text()).toBe('late');
    expect((await user(handler, 'teapot')).status).toBe(418);
    expect((await user(handler, 'nothing')).status).toBe(404);
    expect(seen[0]).toBe('session-1:ptz');
  });

  it('no handler → 404, a throwing handler → 500 and the camera carries on, cmd over 4 KiB → 413', async () => {
    expect((await user(undefined, 'x')).status).toBe(404);
    const boom = await user(() => {
      throw new Error('bug in app');
    }, 'x');
    expect(boom.status).toBe(500);
    expect(boom.json()).toEqual({ error: expect.any(String) });
    const rejects = await user(() => Promise.reject(new Error('async bug')), 'x');
    expect(rejects.status).toBe(500);
    expect((await user(() => 'ok', 'y'.repeat(4097))).status).toBe(413);
    expect((await user(() => 'ok', 'y'.repeat(4096))).status).toBe(200);
  });

  it('loads a module handler or runs a script with the command on stdin', async () => {
    const mod = join(dir, 'handler.mjs');
    writeFileSync(mod, 'export default (cmd, ctx) => ({ body: `module got ${cmd} on channel ${ctx.channel}` });\n');
    expect((await user(await loadCommandHandler(mod), 'flip')).text()).toBe('module got flip on channel 0');

    const script = join(dir, 'handler.sh');
    writeFileSync(
      script,
      '#!/bin/sh\nread cmd\ncase "$cmd" in\n  status) echo "{\\"ok\\":true}";;\n  fail) exit 3;;\nesac\n',
    );
    chmodSync(script, 0o755);
    const handler = await loadCommandHandler(script);
    const status = await user(handler, 'status');
    expect([status.status, status.headers['content-type'], status.json()]).toEqual([
      200,
      'application/json',
      { ok: true },
    ]);
    expect((await user(handler, 'unknown')).status).toBe(404); // printed nothing
    expect((await user(handler, 'fail')).status).toBe(500);
  });
});

describe('router', () => {
  it('unknown paths, actions and channels are 404', async () => {
    const r = createRouter({ live: new LiveHandler(hub, 4), channels: 1 });
    expect((await ask(r, 'other', 'action=live')).status).toBe(404);
    expect((await ask(r, 'ipc.flv', 'action=teleport')).status).toBe(404);
    expect((await ask(r, 'ipc.flv', 'action=live&channel=1')).status).toBe(404);
    expect((await ask(r, 'ipc.flv', 'action=download&file_name=x')).status).toBe(404);
    expect((await ask(r, 'voice', 'channel=0')).status).toBe(404);
  });
});
