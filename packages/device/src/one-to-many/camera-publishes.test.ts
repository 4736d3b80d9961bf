/**
 * A full camera's 1vN publishes against a real server: one publish per channel and quality however many
 * viewers are sent to it, the stream servable before its name is handed out, at most `maxPublishes` at
 * once, and each stops once the server ended it for want of viewers.
 */
import { AV_FLV_FIXTURE, waitUntil } from '@xp2p/testing';
import { streamManifestSchema, streamRecordVerifier } from '@xp2p/protocol';
import { startTestServer, type TestServer } from '@xp2p/testing/server';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveHub } from '../media/live-hub.js';
import { FlvFileLoopSource } from '../media/flv-file-loop-source.js';
import { CameraPublishes } from './camera-publishes.js';

let t: TestServer | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await t?.server.close();
  t = undefined;
});

function liveFeed(): LiveHub {
  const hub = new LiveHub();
  const source = new FlvFileLoopSource(AV_FLV_FIXTURE);
  source.start(hub);
  cleanups.push(() => source.stop());
  return hub;
}

describe("a full camera's 1vN publishes", () => {
  it('one per channel and quality, servable when named, at most maxPublishes, ended when nobody watches', async () => {
    t = await startTestServer({ tuning: { cameraStreamIdleMs: 1_500 } });
    const publishes = new CameraPublishes({
      device: `${t.cam1.productId}/${t.cam1.deviceName}`,
      secret: t.cam1.secret,
      serverUrl: () => t!.server.url,
      trust: {},
      liveWaitMs: 10_000,
      livePollMs: 50,
      maxPublishes: 2,
      log: () => {},
    });
    cleanups.push(() => publishes.closeAll('test over'));
    const [high, standard, other] = [liveFeed(), liveFeed(), liveFeed()];

    const [a, b] = await Promise.all([publishes.offer(0, 'high', high), publishes.offer(0, 'high', high)]);
    expect(a?.stream).toMatch(/^cam-/);
    expect(b).toBe(a);
    // named only once peers can join: the origin lists a chunk of it
    const manifest = streamManifestSchema.parse(
      await (await fetch(`${t.server.url}/live/${a!.stream}/manifest.json`)).json(),
    );
    expect(manifest.chunks.length).toBeGreaterThan(0);
    // the origin signs the camera's stream with the key the camera's own publish key derives: the key it offers
    const verify = await streamRecordVerifier(a!.publicKey);
    expect(await verify(a!.stream, manifest.epoch, { chunk: manifest.chunks[0]! })).toBe(true);
    expect(await publishes.offer(0, 'high', high)).toBe(a);

    const c = await publishes.offer(0, 'standard', standard);
    expect(c?.stream).toMatch(/^cam-/);
    expect(c?.stream).not.toBe(a?.stream);
    expect(c?.publicKey).not.toBe(a?.publicKey);
    // a third stream would make the camera upload one more than it allows
    expect(await publishes.offer(1, 'high', other)).toBeUndefined();
    expect(publishes.publishing).toBe(2);
    expect(publishes.started).toBe(2);

    // nobody watches: the server ends both, and the camera stops uploading them
    await waitUntil(() => publishes.publishing === 0, { timeoutMs: 10_000 });
    expect(t.server.origin.stream(a!.stream)?.live).toBe(false);
    expect(high.subscriberCount).toBe(0);
    // the next viewer sent to 1vN gets a new stream under a new name
    const again = await publishes.offer(0, 'high', high);
    expect(again?.stream).toMatch(/^cam-/);
    expect(again?.stream).not.toBe(a?.stream);
  });
});
