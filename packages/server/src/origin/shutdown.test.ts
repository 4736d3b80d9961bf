import { originEventSchema } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { expectNoLeaks, snapshotResources } from '@xp2p/testing';
import { ClientPool, startTestServer, connectPeer, fixture, readAll, readNdjson } from '@xp2p/testing/server';

describe('server close() with live 1vN traffic', () => {
  it('ends every viewer with eof (HTTP-FLV, feed, tracker peer) and leaves no socket or timer', async () => {
    const before = snapshotResources();
    const t = await startTestServer();
    const pool = new ClientPool();
    const pub = t.server.origin.openPublisher('room');
    pub.setHeader(fixture.header);
    for (const tag of fixture.tags) pub.push(tag);
    const pull = t.server.origin.startPull('copy', `${t.server.url}/live/room.flv`);
    const flv = readAll(await fetch(`${t.server.url}/live/room.flv`));
    const feed = readNdjson(await fetch(`${t.server.url}/live/room/feed`));
    const peer = await connectPeer(t, pool);
    peer.send({ type: 'join', v: 1, stream: 'room', upload: true });
    expect(await peer.next()).toMatchObject({ type: 'joined' });

    await t.server.close();
    expect((await flv).byteLength).toBeGreaterThan(0);
    const events = (await feed).map((l) => originEventSchema.parse(l));
    expect(events.at(-1)?.type).toBe('eof');
    const messages = [];
    for (;;) {
      const m = await peer.next();
      messages.push(m);
      if (m.type === 'origin' && (m.event as { type: string }).type === 'eof') break;
    }
    expect((await peer.closed).code).toBe(1001);
    expect((await pull.done).reason).toBe('stopped');
    await pool.closeAll();
    await expectNoLeaks(before);
  });
});
