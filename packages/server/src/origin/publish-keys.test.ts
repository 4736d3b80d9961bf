/**
 * One global publish key meant that anyone given the key for their stream could publish (or hijack the
 * name of) every other stream. Keys are per stream now, derived from the config's master, which itself
 * publishes nothing.
 */
import { Readable } from 'node:stream';
import { PUBLISH_KEY_HEADER, streamPublishKey } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, fixtureBytes } from '@xp2p/testing/server';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

const post = (name: string, headers: Record<string, string>, query = ''): Promise<Response> =>
  fetch(`${t!.server.url}/live/${name}${query}`, {
    method: 'POST',
    headers,
    body: Readable.toWeb(Readable.from([fixtureBytes])) as ReadableStream,
    duplex: 'half',
  } as RequestInit);

describe('per-stream publish keys', () => {
  it("a stream's key publishes that stream only; the master key publishes nothing", async () => {
    t = await startTestServer();
    // before: the one key published any name
    expect((await post('b', {}, `?key=${t.config.publishKey}`)).status).toBe(403);
    const keyA = await streamPublishKey(t.config.publishKey, 'a');
    expect((await post('b', { [PUBLISH_KEY_HEADER]: keyA })).status).toBe(403);
    expect((await post('b', {}, `?key=${keyA}`)).status).toBe(403);
    expect((await post('a', { [PUBLISH_KEY_HEADER]: t.config.publishKey })).status).toBe(403);
    expect((await post('a', { [PUBLISH_KEY_HEADER]: keyA })).status).toBe(200);
    // ffmpeg can only put it in the URL: that works too
    expect((await post('a', {}, `?key=${keyA}`)).status).toBe(200);
  });
});
