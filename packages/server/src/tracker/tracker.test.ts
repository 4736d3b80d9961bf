import { signAppRequest, trackerToPeerSchema, type TrackerToPeer } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientPool,
  startTestServer,
  TestClient,
  type TestServer,
  connectPeer,
  fixture,
  loopedFixtureTags,
  peerUrl,
} from '@xp2p/testing/server';
import type { Publisher } from '../origin/origin.js';
import type { StartServerOptions } from '../server.js';

let t: TestServer | undefined;
const pool = new ClientPool();
afterEach(async () => {
  await pool.closeAll();
  await t?.server.close();
  t = undefined;
});

const OFFER = { kind: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } as const;

/** The next message, checked against the tracker → peer schema (what a real peer would parse). */
async function next(client: TestClient): Promise<TrackerToPeer> {
  return trackerToPeerSchema.parse(await client.next());
}

/** The next message of a type, skipping origin announcements (and newcomer `peers` news unless asked for). */
async function nextOf<K extends TrackerToPeer['type']>(
  client: TestClient,
  type: K,
): Promise<Extract<TrackerToPeer, { type: K }>> {
  for (;;) {
    const m = await next(client);
    if (m.type === type) return m as Extract<TrackerToPeer, { type: K }>;
    if (m.type !== 'origin' && m.type !== 'peers') throw new Error(`expected ${type}, got ${JSON.stringify(m)}`);
  }
}

async function start(options: Partial<StartServerOptions> = {}): Promise<{ pub: Publisher }> {
  t = await startTestServer(options);
  const pub = t.server.origin.openPublisher('room');
  pub.setHeader(fixture.header);
  for (const tag of fixture.tags) pub.push(tag); // last chunk stays open: the stream is live
  return { pub };
}

async function join(
  upload = true,
  stream = 'room',
): Promise<{ client: TestClient; joined: Extract<TrackerToPeer, { type: 'joined' }> }> {
  const client = await connectPeer(t!, pool);
  client.send({ type: 'join', v: 1, stream, upload });
  return { client, joined: await nextOf(client, 'joined') };
}

const stats = async (name = 'room') =>
  (await fetch(`${t!.server.url}/api/streams/${name}/stats`)).json() as Promise<Record<string, unknown>>;

describe('/signal/peer', () => {
  it('refuses an unsigned upgrade with 401', async () => {
    await start();
    await expect(pool.add(new TestClient(t!.wsUrl('/signal/peer'))).opened).rejects.toThrow(/401/);
  });

  it('a signature made for /signal/viewer does not open /signal/peer', async () => {
    await start();
    await pool.add(new TestClient(await peerUrl(t!))).opened; // signed for /signal/peer: fine
    const sig = await signAppRequest(t!.app, 'GET', `${t!.server.url}/signal/viewer`, '');
    const q = new URLSearchParams({
      appKey: sig.appKey,
      timestamp: String(sig.timestamp),
      nonce: sig.nonce,
      signature: sig.signature,
    });
    await expect(pool.add(new TestClient(t!.wsUrl(`/signal/peer?${q}`))).opened).rejects.toThrow(/401/);
  });

  it('answers a join of a stream that is not live with a readable 404', async () => {
    await start();
    const client = await connectPeer(t!, pool);
    client.send({ type: 'join', v: 1, stream: 'nothing', upload: true });
    expect(await next(client)).toEqual({ type: 'error', status: 404, message: 'stream nothing is not live' });
    client.send({ type: 'more-peers' });
    expect(await next(client)).toMatchObject({ type: 'error', status: 409 });
  });

  it('joined carries id, ICE servers, epoch, init, target and neighbours, then where to start', async () => {
    const { pub } = await start();
    const client = await connectPeer(t!, pool);
    client.send({ type: 'join', v: 1, stream: 'room', upload: true });
    const joined = await next(client);
    const manifest = t!.server.origin.stream('room')!.manifest()!;
    expect(joined).toEqual({
      type: 'joined',
      peerId: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/),
      iceServers: [{ urls: `stun:127.0.0.1:${t!.server.stunPort}` }],
      epoch: pub.epoch,
      init: manifest.init,
      targetChunkMs: 500,
      neighbours: [],
    });
    // Then the chunks from the latest keyframe chunk, as origin announcements.
    const first = await next(client);
    expect(first).toMatchObject({
      type: 'origin',
      event: { type: 'chunk', epoch: pub.epoch, chunk: { keyframe: true } },
    });
  });

  it('hands out earlier peers as neighbours, uploaders first', async () => {
    await start({ tuning: { trackerNeighbours: 1 } });
    const a = await join(false);
    const b = await join(true);
    expect(b.joined.neighbours).toEqual([a.joined.peerId]); // the only one
    expect(b.joined.noUpload).toEqual([a.joined.peerId]); // ... named as one that does not upload
    const c = await join(true);
    expect(c.joined.neighbours).toEqual([b.joined.peerId]); // b uploads, a does not
    expect(c.joined.noUpload).toBeUndefined();
    c.client.send({ type: 'more-peers' });
    expect(await nextOf(c.client, 'peers')).toEqual({
      type: 'peers',
      neighbours: [a.joined.peerId],
      noUpload: [a.joined.peerId],
    });
    c.client.send({ type: 'more-peers' });
    expect(await nextOf(c.client, 'peers')).toEqual({ type: 'peers', neighbours: [] });
  });

  it('announces a newcomer to the peers it was handed', async () => {
    await start();
    const a = await join(true);
    const b = await join(true);
    expect(await nextOf(a.client, 'peers')).toEqual({ type: 'peers', neighbours: [b.joined.peerId] });
    const c = await join(false);
    expect(new Set(c.joined.neighbours)).toEqual(new Set([a.joined.peerId, b.joined.peerId]));
    // c joined with upload off: the announcement says so
    const aboutC = { type: 'peers', neighbours: [c.joined.peerId], noUpload: [c.joined.peerId] };
    expect(await nextOf(a.client, 'peers')).toEqual(aboutC);
    expect(await nextOf(b.client, 'peers')).toEqual(aboutC);
  });

  it('relays signals between two peers of the swarm, and refuses unknown targets', async () => {
    await start();
    const a = await join();
    const b = await join();
    expect(b.joined.neighbours).toEqual([a.joined.peerId]);
    b.client.send({ type: 'signal', to: a.joined.peerId, signal: OFFER });
    expect(await nextOf(a.client, 'signal')).toEqual({ type: 'signal', from: b.joined.peerId, signal: OFFER });
    const answer = { kind: 'answer', sdp: 'v=0 answer' };
    a.client.send({ type: 'signal', to: b.joined.peerId, signal: answer });
    expect(await nextOf(b.client, 'signal')).toEqual({ type: 'signal', from: a.joined.peerId, signal: answer });
    b.client.send({ type: 'signal', to: 'nobodyhere123', signal: OFFER });
    expect(await nextOf(b.client, 'error')).toEqual({
      type: 'error',
      status: 404,
      message: 'no peer nobodyhere123 in this swarm',
    });
  });

  it('does not relay across swarms', async () => {
    await start();
    const other = t!.server.origin.openPublisher('other');
    for (const tag of fixture.tags) other.push(tag);
    const a = await join(true, 'room');
    const b = await join(true, 'other');
    b.client.send({ type: 'signal', to: a.joined.peerId, signal: OFFER });
    expect(await nextOf(b.client, 'error')).toMatchObject({ status: 404 });
  });

  it('pushes every origin event to every peer, and eof when the publisher stops', async () => {
    const { pub } = await start();
    const a = await join();
    const b = await join();
    const lastSeq = t!.server.origin.stream('room')!.lastSeq;
    for (const tag of loopedFixtureTags(2).slice(fixture.tags.length)) pub.push(tag);
    pub.end();
    for (const peer of [a, b]) {
      const seen: number[] = [];
      for (;;) {
        const m = await nextOf(peer.client, 'origin');
        if (m.event.type === 'chunk' && m.event.chunk.seq > lastSeq) seen.push(m.event.chunk.seq);
        if (m.event.type === 'eof') {
          expect(m.event).toEqual({ type: 'eof', epoch: pub.epoch, lastSeq: seen.at(-1) });
          break;
        }
      }
      expect(seen).toEqual(seen.map((_, i) => lastSeq + 1 + i));
      expect(seen.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('sums reports (keeping those of peers that left), counts peers and origin bytes', async () => {
    const { pub } = await start();
    const a = await join();
    const b = await join();
    a.client.send({ type: 'report', report: { p2pBytes: 1000, cdnBytes: 200, uploadBytes: 50, stalls: 1, peers: 1 } });
    b.client.send({
      type: 'report',
      report: { p2pBytes: 10, cdnBytes: 20, uploadBytes: 30, stalls: 0, peers: 1, lagMs: 300 },
    });
    b.client.send({ type: 'report', report: { p2pBytes: 500, cdnBytes: 300, uploadBytes: 900, stalls: 2, peers: 1 } });
    const chunk = await fetch(`${t!.server.url}/live/room/${pub.epoch}/chunk-0.bin`);
    const size = (await chunk.arrayBuffer()).byteLength;
    a.client.send({ type: 'ping' });
    await nextOf(a.client, 'pong');
    b.client.send({ type: 'ping' });
    await nextOf(b.client, 'pong');
    expect(await stats()).toEqual({
      stream: 'room',
      live: true,
      epoch: pub.epoch,
      peers: 2,
      originBytes: size,
      p2pBytes: 1500,
      cdnBytes: 500,
      uploadBytes: 950,
      stalls: 3,
      chunks: expect.any(Number),
      bitrateKbps: expect.any(Number),
      // the key viewers check the origin's signatures with (the stream URL's `?pk=`)
      pk: t!.server.origin.stream('room')!.publicKey,
    });
    a.client.send({ type: 'leave' });
    expect(await nextOf(b.client, 'peer-left')).toEqual({ type: 'peer-left', peerId: a.joined.peerId });
    expect(await stats()).toMatchObject({ peers: 1, p2pBytes: 1500, stalls: 3 });
    const all = (await (await fetch(`${t!.server.url}/api/streams`)).json()) as {
      streams: { stream: string }[];
      totals: Record<string, number>;
    };
    expect(all.streams.map((s) => s.stream)).toEqual(['room']);
    expect(all.totals).toEqual({
      peers: 1,
      originBytes: size,
      p2pBytes: 1500,
      cdnBytes: 500,
      uploadBytes: 950,
      stalls: 3,
    });
  });

  it('tells neighbours when a peer disconnects', async () => {
    await start();
    const a = await join();
    const b = await join();
    await a.client.close();
    expect(await nextOf(b.client, 'peer-left')).toEqual({ type: 'peer-left', peerId: a.joined.peerId });
    expect(await stats()).toMatchObject({ peers: 1 });
  });

  describe('bad-peer reports (attacks that worked before the quorum rule)', () => {
    /** A peer whose socket comes from another loopback address (127.0.0.n): a distinct reporter address. */
    async function joinFrom(localAddress: string) {
      const client = pool.add(new TestClient(await peerUrl(t!), { localAddress }));
      await client.opened;
      client.send({ type: 'join', v: 1, stream: 'room', upload: true });
      return { client, joined: await nextOf(client, 'joined') };
    }
    type Peer = Awaited<ReturnType<typeof join>>;
    /** Both sides send each other a signal through the tracker, as a WebRTC negotiation does. */
    async function negotiate(a: Peer, b: Peer) {
      a.client.send({ type: 'signal', to: b.joined.peerId, signal: OFFER });
      await nextOf(b.client, 'signal');
      b.client.send({ type: 'signal', to: a.joined.peerId, signal: { kind: 'answer', sdp: OFFER.sdp } });
      await nextOf(a.client, 'signal');
    }
    const report = (from: Peer, accused: Peer, seq = 3) =>
      from.client.send({ type: 'bad-peer', peerId: accused.joined.peerId, seq, reason: 'piece hash mismatch' });
    /** The tracker handled everything this peer sent before (one socket's messages are handled in order). */
    async function handled(p: Peer) {
      p.client.send({ type: 'ping' });
      expect(await nextOf(p.client, 'pong')).toEqual({ type: 'pong' });
    }

    it('reports from peers never linked to the accused are refused; no report hides a peer', async () => {
      await start();
      const victim = await join();
      const liars = [await join(), await join(), await join()];
      for (const liar of liars) {
        report(liar, victim);
        expect(await nextOf(liar.client, 'error')).toMatchObject({ status: 403, message: /not linked/ });
      }
      const fresh = await join();
      expect(fresh.joined.neighbours).toContain(victim.joined.peerId);
      expect(await stats()).toMatchObject({ peers: 5 });
    });

    it('linked reporters that share one address never reach the quorum', async () => {
      await start();
      const victim = await join();
      const sybils = [await join(), await join(), await join(), await join()];
      for (const s of sybils) await negotiate(s, victim);
      for (const s of sybils) report(s, victim);
      for (const s of sybils) await handled(s);
      await handled(victim); // not evicted
      expect(await stats()).toMatchObject({ peers: 5 });
      expect(t!.logs.some((l) => /evicted/.test(l))).toBe(false);
    });

    it('one peer files at most 3 reports a minute', async () => {
      await start();
      const reporter = await join();
      const others = [await join(), await join(), await join(), await join()];
      for (const o of others) await negotiate(reporter, o);
      for (const o of others.slice(0, 3)) report(reporter, o);
      report(reporter, others[3]!);
      expect(await nextOf(reporter.client, 'error')).toMatchObject({ status: 429 });
    });

    it('reporters that are a quorum of the swarm but not most of the accused’s partners do not evict', async () => {
      await start();
      const victim = await join();
      const attackers = [await joinFrom('127.0.0.2'), await joinFrom('127.0.0.3'), await joinFrom('127.0.0.4')];
      const friends = [await join(), await join(), await join()];
      for (const p of [...attackers, ...friends]) await negotiate(p, victim);
      // 7 peers: quorum max(3, ⌈7/3⌉) = 3 addresses, but 3 of its 6 partners is not more than half
      for (const a of attackers) report(a, victim);
      for (const a of attackers) await handled(a);
      await handled(victim);
      expect(await stats()).toMatchObject({ peers: 7 });
    });

    it('linked reporters from distinct addresses, more than a third of the swarm, evict the accused', async () => {
      await start();
      const bad = await join();
      const reporters = [await joinFrom('127.0.0.2'), await joinFrom('127.0.0.3'), await joinFrom('127.0.0.4')];
      const bystanders = [await join(), await join()];
      for (const r of reporters) await negotiate(r, bad);
      // 6 peers: the quorum is max(3, ⌈6/3⌉) = 3 distinct addresses
      report(reporters[0]!, bad);
      report(reporters[1]!, bad);
      for (const r of reporters.slice(0, 2)) await handled(r);
      await handled(bad); // two addresses: not yet
      report(reporters[2]!, bad);
      expect(await nextOf(bad.client, 'error')).toMatchObject({
        status: 403,
        message: expect.stringMatching(/evicted/),
      });
      expect((await bad.client.closed).code).toBe(1008);
      expect(await nextOf(bystanders[0]!.client, 'peer-left')).toEqual({
        type: 'peer-left',
        peerId: bad.joined.peerId,
      });
      expect(await stats()).toMatchObject({ peers: 5 });
      expect(t!.logs.some((l) => /evicted: bad chunks/.test(l))).toBe(true);
    });
  });

  it("answers another app's stream exactly like a stream that does not exist; the owner joins", async () => {
    await start();
    await t!.server.accounts.streams.add('room', t!.app.appid);
    const refusal = async (app: NonNullable<typeof t>['app'], stream: string): Promise<unknown> => {
      const client = pool.add(new TestClient(await peerUrl(t!, app)));
      await client.opened;
      client.send({ type: 'join', v: 1, stream, upload: true });
      return next(client);
    };
    const other = await refusal(t!.otherApp, 'room');
    expect(other).toMatchObject({ type: 'error', status: 404 });
    // byte for byte the answer about a stream named alike that nobody publishes
    const none = await refusal(t!.otherApp, 'rooM');
    expect(JSON.stringify(other).replace('room', 'X')).toBe(JSON.stringify(none).replace('rooM', 'X'));
    const { joined } = await join();
    expect(joined.peerId).toMatch(/\w/);
    // a stream nobody owns stays open to every app (published with the master key, never registered)
    await t!.server.accounts.streams.remove('room');
    expect(await refusal(t!.otherApp, 'room')).toMatchObject({ type: 'joined' });
  });

  it('refuses malformed and oversized messages with 400 and keeps the socket usable', async () => {
    await start();
    const a = await join();
    a.client.send('not json');
    expect(await nextOf(a.client, 'error')).toEqual({ type: 'error', status: 400, message: 'message is not JSON' });
    a.client.send({ type: 'join', v: 2, stream: 'room', upload: true });
    expect(await nextOf(a.client, 'error')).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^invalid message/),
    });
    a.client.send({ type: 'signal', to: 'x'.repeat(20), signal: { kind: 'offer', sdp: 'x'.repeat(70_000) } });
    expect(await nextOf(a.client, 'error')).toEqual({
      type: 'error',
      status: 400,
      message: 'message over 65536 bytes',
    });
    a.client.send({ type: 'join', v: 1, stream: 'room', upload: true });
    expect(await nextOf(a.client, 'error')).toMatchObject({
      status: 409,
      message: expect.stringMatching(/already joined/),
    });
    a.client.send({ type: 'ping' });
    expect(await nextOf(a.client, 'pong')).toEqual({ type: 'pong' });
  });
});
