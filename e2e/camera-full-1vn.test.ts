/**
 * 1v1 → 1vN when a camera is full: a camera capped at one live viewer, with ffmpeg's test pattern as its
 * source, and three Node viewers through the sdk. The first plays 1v1; the next two are refused by the
 * full camera and switched to its 1vN stream, which the camera publishes once to its node's origin. All
 * three play what ffprobe decodes; the camera uploads at most two streams (its 1v1 viewer and one
 * publish, from its own get_device_st and the server's counters); once the 1vN viewers are gone the
 * camera stops publishing; and a viewer with the switch turned off gets -2402 as before.
 */
import { join } from 'node:path';
import { FLV_TAG_VIDEO, parseFlv } from '@xp2p/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, parsePrometheusText, trimToWholeTags, waitUntil } from '@xp2p/testing';
import { start, stopAll, VIEWER, viewerEvents, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const IDLE_SECONDS = 3;
let sys: TestSystem;

beforeAll(async () => {
  sys = await startSystem({ serverArgs: ['--camera-stream-idle-seconds', String(IDLE_SECONDS)] });
  await sys.startDevice(['--max-viewers', '1', '--source', 'testsrc', '--no-record']);
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
});

function viewer(name: string, durationMs: number, extra: Record<string, unknown> = {}): RunningProcess {
  const args = {
    server: sys.serverUrl,
    appParams: sys.appParams,
    productId: 'demo',
    deviceName: 'cam1',
    out: join(sys.dataDir, `${name}.flv`),
    durationMs,
    ...extra,
  };
  return start([VIEWER, JSON.stringify(args)]);
}

const resultOf = (p: RunningProcess) => viewerEvents(p).find((e) => 'result' in e);

async function metrics(): Promise<Map<string, number>> {
  return parsePrometheusText(await (await fetch(`${sys.serverUrl}/metrics`)).text());
}

/** Video keyframes and decode errors of what a viewer's dataCallback got. */
async function played(name: string): Promise<{ frames: number; errors: string }> {
  const file = join(sys.dataDir, `${name}.flv`);
  const frames = parseFlv(trimToWholeTags(file)).tags.filter((t) => t.type === FLV_TAG_VIDEO).length;
  return { frames, errors: await decodeErrors(file) };
}

describe('a full camera serves further viewers from its 1vN stream', () => {
  it('three viewers of a camera capped at one all play; the camera uploads two streams; it stops when they leave', async () => {
    const first = viewer('v1', 16_000, {
      command: { afterMs: 9_000, cmd: 'action=inner_define&channel=0&cmd=get_device_st&type=live' },
    });
    await first.waitForLine(/"result":/, 30_000);
    expect(resultOf(first)?.result, JSON.stringify(viewerEvents(first))).toBe(0);

    // the server's count of camera publishes, sampled all along: never more than one at once
    let mostAtOnce = 0;
    const sampler = setInterval(() => {
      void metrics().then(
        (m) => (mostAtOnce = Math.max(mostAtOnce, m.get('xp2p_camera_streams') ?? 0)),
        () => {},
      );
    }, 200);
    try {
      const second = viewer('v2', 9_000);
      const third = viewer('v3', 9_000);
      for (const v of [second, third]) await v.waitForLine(/"result":/, 30_000);
      const switched = [second, third].map((v) => {
        const events = viewerEvents(v);
        expect(resultOf(v)?.result, JSON.stringify(events)).toBe(0);
        const event = events.find((e) => e.sdkEvent === 'switchedToOneToMany');
        expect(event, JSON.stringify(events)).toBeDefined();
        // the camera gave the stream's key with its name: the swarm plays only records the origin signed with it
        expect(event!.signed, JSON.stringify(event)).toBe(true);
        // the guide-style notify too, before the stream's parsed 200
        const notifies = events.filter((e) => 'notify' in e).map((e) => e.notify);
        expect(notifies.indexOf('switchedToOneToMany')).toBeGreaterThanOrEqual(0);
        expect(notifies.indexOf('parsed')).toBeGreaterThan(notifies.indexOf('switchedToOneToMany'));
        return String(event!.stream);
      });
      // one publish serves both
      expect(switched[0]).toMatch(/^cam-/);
      expect(switched[1]).toBe(switched[0]);
      const stream = switched[0]!;

      // the switch off: the same full camera gives -2402 (503), as before
      const refused = viewer('v4', 1_000, { oneToManyWhenFull: false });
      await refused.waitForLine(/"done":true/, 30_000);
      const refusedEvents = viewerEvents(refused);
      expect(resultOf(refused)?.result, JSON.stringify(refusedEvents)).toBe(-2402);
      expect(refusedEvents.some((e) => e.sdkEvent === 'switchedToOneToMany')).toBe(false);
      expect(String(resultOf(refused)?.lastError)).toMatch(/503/);

      // the camera's own counters, asked by the 1v1 viewer while the 1vN viewers play: 1 live viewer, 1 publish
      const answer = await first
        .waitForLine(/"command":/, 20_000)
        .then(() => viewerEvents(first).find((e) => 'command' in e));
      const status = JSON.parse((answer!.command as { data: string }).data) as Record<string, unknown>[];
      expect(status[0]).toMatchObject({ appConnectNum: 1, oneToMany: 1 });

      for (const v of [first, second, third]) await v.waitForLine(/"done":true/, 30_000);
      for (const name of ['v1', 'v2', 'v3']) {
        const { frames, errors } = await played(name);
        expect(errors, name).toBe('');
        // testsrc is 30 fps: each viewer got seconds of video, not a few frames
        expect(frames, name).toBeGreaterThan(30 * 4);
      }
      expect(mostAtOnce).toBe(1);
      expect((await metrics()).get('xp2p_camera_streams_total')).toBe(1);

      // nobody watches the 1vN stream any more: the server ends it, the camera stops uploading it
      await waitUntil(async () => (await metrics()).get('xp2p_camera_streams') === 0, {
        timeoutMs: (IDLE_SECONDS + 10) * 1000,
      });
      expect((await fetch(`${sys.serverUrl}/live/${stream}.flv`)).status).toBe(404);
      // and nobody could have found it in the server's listing
      const listed = (await (await fetch(`${sys.serverUrl}/api/streams`)).json()) as { streams: { stream: string }[] };
      expect(listed.streams.map((s) => s.stream)).not.toContain(stream);
    } finally {
      clearInterval(sampler);
    }
  });
});
