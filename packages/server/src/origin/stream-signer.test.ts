import { streamManifestSchema, streamPublicKey, streamRecordVerifier } from '@xp2p/protocol';
import { fixture, loopedFixtureTags, startTestServer, type TestServer } from '@xp2p/testing/server';
import { afterEach, describe, expect, it } from 'vitest';
import { publishKeyFor } from './publish-key.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

describe("the origin's record signatures", () => {
  it('signs every init and chunk record with the key the publisher derives from its publish key', async () => {
    t = await startTestServer();
    const pub = t.server.origin.openPublisher('signed');
    pub.setHeader(fixture.header);
    for (const tag of loopedFixtureTags(1)) pub.push(tag);
    pub.end();
    const manifest = streamManifestSchema.parse(
      await (await fetch(`${t.server.url}/live/signed/manifest.json`)).json(),
    );
    // what `xp2p publish` prints with the stream URL: computed from the publish key alone
    const pk = await streamPublicKey(publishKeyFor(t.config.publishKey, 'signed'), 'signed');
    expect(t.server.origin.stream('signed')?.publicKey).toBe(pk);
    const verify = await streamRecordVerifier(pk);
    expect(await verify('signed', manifest.epoch, { init: manifest.init })).toBe(true);
    expect(manifest.chunks.length).toBeGreaterThan(3);
    for (const chunk of manifest.chunks) expect(await verify('signed', manifest.epoch, { chunk })).toBe(true);
    // any field changed, or the same record in another stream or publish: refused
    const c = manifest.chunks[1]!;
    expect(await verify('signed', manifest.epoch, { chunk: { ...c, hash: 'f'.repeat(64) } })).toBe(false);
    expect(await verify('signed', manifest.epoch, { chunk: { ...c, timestamp: c.timestamp + 1 } })).toBe(false);
    expect(await verify('signed', manifest.epoch, { chunk: { ...c, seq: c.seq + 1 } })).toBe(false);
    expect(await verify('other', manifest.epoch, { chunk: c })).toBe(false);
    expect(await verify('signed', 'another-epoch', { chunk: c })).toBe(false);
  });
});
