/**
 * The 1v1 sdk (guide facade, services, sessions, peer links) in the simulator: virtual time, an in-memory
 * network and camera. Each test covers seconds of virtual time in milliseconds of real time.
 */
import { concatBytes, parseFlv, Sha256Stream } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../swarm/sim/prng.js';
import { createSimWorld, type SimWorld } from './sim-world.test-support.js';

const LIVE = 'action=live&channel=0';

/** A started live service whose bytes and notifies are collected. */
async function liveService(world: SimWorld, id = 'cam') {
  const chunks: Uint8Array[] = [];
  const notifies: string[] = [];
  const code = await world.clock.settle(
    world.p2p.startP2PService(id, world.streamInfo(LIVE), {
      msgCallback: (event, subtype) => event === 'notify' && notifies.push(subtype),
      dataCallback: (data) => chunks.push(new Uint8Array(data)),
    }),
  );
  return { code, chunks, notifies, bytes: () => chunks.reduce((n, c) => n + c.byteLength, 0) };
}

/** The video frames of an FLV byte stream: their timestamps and the camera's frame numbers. */
function videoFrames(flv: Uint8Array) {
  const { tags } = parseFlv(flv);
  return tags
    .filter((t) => t.type === 9 && t.data[1] === 1)
    .map((t) => ({ timestamp: t.timestamp, frame: new DataView(t.data.buffer, t.data.byteOffset).getUint32(5) }));
}

/** destroy() closes everything the sdk opened: no timer, peer connection, channel or listener remains. */
async function destroyLeavesNothing(world: SimWorld): Promise<void> {
  world.p2p.destroy();
  await world.clock.advance(1_000);
  expect(world.leaks()).toEqual({ timers: 0, peerConnections: 0, channels: 0, signalListeners: 0 });
}

function sha256(bytes: Uint8Array): string {
  const h = new Sha256Stream();
  h.update(bytes);
  return h.digestHex();
}

describe('1v1 in the simulator', () => {
  it('connects and streams live FLV that starts on a keyframe, with the guide notifies in order', async () => {
    const world = await createSimWorld();
    expect(await world.init()).toBe(0);
    const live = await liveService(world);
    expect(live.code).toBe(0);
    await world.clock.advance(2_000);
    expect(live.notifies.slice(0, 3)).toEqual(['connected', 'request', 'parsed']);
    const flv = concatBytes(live.chunks);
    const { header, tags } = parseFlv(flv);
    expect(header).toEqual({ audio: false, video: true });
    expect(tags[0]?.type).toBe(18); // metadata first
    const frames = videoFrames(flv);
    expect(frames.length).toBeGreaterThan(45); // 2 s at 25 fps
    expect(frames[0]!.frame).toBe(0);
    frames.forEach((f, i) => expect(f.frame).toBe(i));
    const stats = await world.p2p.getServiceStats('cam');
    expect(stats?.path).toBe('host');
    expect(stats?.timings.openAt).toBeGreaterThan(0);
    await destroyLeavesNothing(world);
  });

  it('a long lossy path (150 ms one way, 5% of messages retransmitted) still streams every frame in order, no reconnect', async () => {
    const world = await createSimWorld({ seed: 3, network: { latencyMs: 150, lossRate: 0.05 } });
    await world.init();
    const lost: string[] = [];
    world.p2p.on('pathLost', ({ reason }) => lost.push(reason));
    const live = await liveService(world);
    expect(live.code).toBe(0);
    await world.clock.advance(10_000);
    const frames = videoFrames(concatBytes(live.chunks));
    expect(frames.length).toBeGreaterThan(230); // 10 s at 25 fps, less the path's delay
    frames.forEach((f, i) => expect(f.frame).toBe(i));
    expect(lost).toEqual([]);
    expect(world.network.retransmits).toBeGreaterThan(10);
    const stats = await world.p2p.getServiceStats('cam');
    // connect: signalling round trips, then the offer/answer over the camera's path and the handshake
    expect(stats!.timings.openAt! - stats!.timings.startedAt).toBeGreaterThan(4 * 150);
    await destroyLeavesNothing(world);
  });

  it('a long clean path (150 ms one way): the first attempt opens alone, no second one raced while it is on time', async () => {
    const world = await createSimWorld({ seed: 5, network: { latencyMs: 150 } });
    await world.init();
    const live = await liveService(world);
    expect(live.code).toBe(0);
    const stats = await world.p2p.getServiceStats('cam');
    // an open takes ~7 round trips here (2.1 s), well past the fixed 700 ms race of a short path
    expect(stats!.timings.openAt! - stats!.timings.offerSentAt!).toBeGreaterThan(700);
    expect(stats!.timings.attempts).toBe(1);
    await destroyLeavesNothing(world);
  });

  it('relay-first start: first frames over signalling before P2P opens, then the same stream on P2P, no frame lost or twice', async () => {
    const world = await createSimWorld({ seed: 7, network: { latencyMs: 150 }, sdk: { startRelay: true } });
    await world.init();
    const handedOver: unknown[] = [];
    world.p2p.on('startRelayHandedOver', (e) => handedOver.push(e));
    const chunks: Uint8Array[] = [];
    const notifies: string[] = [];
    let firstByteAt: number | undefined;
    const code = await world.clock.settle(
      world.p2p.startP2PService('cam', world.streamInfo(LIVE), {
        msgCallback: (event, subtype) => event === 'notify' && notifies.push(subtype),
        dataCallback: (data) => {
          firstByteAt ??= world.clock.now();
          chunks.push(new Uint8Array(data));
        },
      }),
    );
    expect(code).toBe(0);
    await world.clock.advance(5_000);
    const stats = await world.p2p.getServiceStats('cam');
    // bytes flowed over the relay while ICE, DTLS and SCTP came up (7 round trips of 300 ms here)
    expect(firstByteAt).toBeLessThan(stats!.timings.openAt! - 1_000);
    expect(handedOver).toEqual([{ id: 'cam', frames: expect.any(Number), bytes: expect.any(Number), spliced: false }]);
    expect((handedOver[0] as { frames: number }).frames).toBeGreaterThan(10);
    expect(world.camera.requests.filter((r) => r.query.includes('relay_handover=')).length).toBe(1);
    // one stream: the camera's frames 0, 1, 2 ... with none missing or repeated across the hand-over
    const frames = videoFrames(concatBytes(chunks));
    expect(frames.length).toBeGreaterThan(100);
    frames.forEach((f, i) => expect(f.frame).toBe(i));
    expect(notifies.slice(0, 3)).toEqual(['connected', 'request', 'parsed']);
    await destroyLeavesNothing(world);
  });

  it('reconnects after a path break: typed events, and the live stream goes on as one FLV', async () => {
    const world = await createSimWorld();
    await world.init();
    const events: string[] = [];
    let recoveryMs = 0;
    world.p2p.on('pathLost', ({ id }) => events.push(`pathLost ${id}`));
    world.p2p.on('reconnecting', () => events.push('reconnecting'));
    world.p2p.on('reconnected', ({ ms }) => {
      events.push('reconnected');
      recoveryMs = ms;
    });
    world.p2p.on('liveResumed', ({ resumes }) => events.push(`liveResumed ${resumes}`));
    world.p2p.on('disconnected', () => events.push('disconnected'));
    const live = await liveService(world);
    expect(live.code).toBe(0);
    await world.clock.advance(1_000);
    const brokenAt = world.clock.now();
    world.network.breakPath();
    await world.clock.until(() => events.includes('reconnected'), 10_000);
    // noticed within the heartbeat bound (pathLostAfterMs 2 s, one heartbeat more)
    expect(world.clock.now() - brokenAt).toBeLessThan(2_000 + 500 + recoveryMs + 100);
    const before = live.bytes();
    await world.clock.advance(2_000);
    expect(live.bytes()).toBeGreaterThan(before + 20 * 600);
    expect(events).toEqual(['pathLost cam', 'reconnecting', 'reconnected', 'liveResumed 1']);
    expect(live.notifies).not.toContain('disconnect');
    const flv = concatBytes(live.chunks);
    expect(parseFlv(flv).header).toEqual({ audio: false, video: true }); // one header: one FLV
    const frames = videoFrames(flv);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.timestamp).toBeGreaterThan(frames[i - 1]!.timestamp);
    expect((await world.p2p.getServiceStats('cam'))?.recoveries).toHaveLength(1);
    await destroyLeavesNothing(world);
  });

  it('a download cut by a path break resumes by itself and arrives byte-identical', async () => {
    const random = seededRandom(7);
    const file = new Uint8Array(512 * 1024).map(() => Math.floor(random() * 256));
    const world = await createSimWorld({ camera: { files: new Map([['clip.bin', file]]) } });
    await world.init();
    const resumedAt: number[] = [];
    world.p2p.on('downloadResumed', ({ offset }) => resumedAt.push(offset));
    const start = world.p2p.startP2PService('dl', world.streamInfo(LIVE), { msgCallback: () => {} });
    expect(await world.clock.settle(start)).toBe(0);
    const chunks: Uint8Array[] = [];
    const outcomes: string[] = [];
    let complete = false;
    let broken = false;
    const code = world.p2p.startLocalDownload(
      'dl',
      { urlParams: 'channel=0&file_name=clip.bin' },
      {
        onReceiveChunk: (data) => {
          chunks.push(new Uint8Array(data));
          if (!broken && chunks.length === 3) {
            broken = true;
            world.network.breakPath();
          }
        },
        onSuccess: () => outcomes.push('success'),
        onFailure: (res) => outcomes.push(`failure ${res?.errmsg}`),
        onError: (res) => outcomes.push(`error ${res?.errmsg}`),
        onComplete: () => (complete = true),
      },
    );
    expect(await world.clock.settle(code)).toBe(0);
    await world.clock.until(() => complete, 30_000);
    expect(outcomes).toEqual(['success']);
    expect(resumedAt).toHaveLength(1);
    expect(resumedAt[0]).toBe(3 * 64 * 1024);
    const received = concatBytes(chunks);
    expect(received.byteLength).toBe(file.byteLength);
    expect(sha256(received)).toBe(sha256(file));
    expect(world.camera.requests.filter((r) => r.query.includes('download'))).toHaveLength(2);
    await destroyLeavesNothing(world);
  });

  it('a command the camera never answers resolves {type: timeout} at its timeout, and leaves no channel open', async () => {
    const world = await createSimWorld();
    await world.init();
    expect(
      await world.clock.settle(world.p2p.startP2PService('c', world.streamInfo(LIVE), { msgCallback: () => {} })),
    ).toBe(0);
    const command = 'action=inner_define&channel=0&cmd=get_device_st&type=live';
    expect(await world.clock.settle(world.p2p.sendCommand('c', command))).toMatchObject({
      type: 'success',
      status: 200,
    });
    const channelsBefore = world.leaks().channels;
    world.camera.answerCommands = false;
    const askedAt = world.clock.now();
    const result = await world.clock.settle(world.p2p.sendCommand('c', command, { timeoutMs: 3_000 }));
    expect(result).toMatchObject({ type: 'timeout', status: 0, errcode: 0 });
    expect(world.clock.now() - askedAt).toBe(3_000);
    await world.clock.advance(100);
    expect(world.leaks().channels).toBe(channelsBefore);
    // the default bound: SDK_DEFAULTS.commandTimeoutMs (10 s)
    const second = world.clock.now();
    expect(await world.clock.settle(world.p2p.sendCommand('c', command))).toMatchObject({ type: 'timeout' });
    expect(world.clock.now() - second).toBe(10_000);
    await destroyLeavesNothing(world);
  });

  it('a camera frozen past the reconnect window: disconnect after the window, the service is gone', async () => {
    const world = await createSimWorld();
    await world.init();
    const events: { name: string; at: number }[] = [];
    for (const name of ['pathLost', 'reconnected', 'disconnected'] as const) {
      world.p2p.on(name, () => events.push({ name, at: world.clock.now() }));
    }
    const live = await liveService(world);
    expect(live.code).toBe(0);
    await world.clock.advance(1_000);
    world.network.setDown(true);
    await world.clock.until(() => events.some((e) => e.name === 'disconnected'), 20_000);
    const [lost, gone] = [events[0]!, events.at(-1)!];
    expect(events.map((e) => e.name)).toEqual(['pathLost', 'disconnected']);
    expect(gone.at - lost.at).toBeGreaterThanOrEqual(10_000); // SDK_DEFAULTS.reconnectWindowMs
    expect(gone.at - lost.at).toBeLessThan(10_000 + 3_000);
    expect(live.notifies.at(-1)).toBe('disconnect');
    world.network.setDown(false);
    expect(await world.clock.settle(world.p2p.startP2PStream('cam', { dataCallback: () => {} }))).toBe(-2403);
    await destroyLeavesNothing(world);
  });

  it('stopP2PService during the connect: startP2PService answers 0 at once; a stream stopped before the answer -2402', async () => {
    const world = await createSimWorld({ network: { latencyMs: 200 } });
    await world.init();
    const starting = world.p2p.startP2PService('s', world.streamInfo(LIVE), { msgCallback: () => {} });
    await world.clock.advance(100);
    world.p2p.stopP2PService('s');
    const stoppedAt = world.clock.now();
    expect(await world.clock.settle(starting)).toBe(0);
    expect(world.clock.now()).toBe(stoppedAt);
    expect(
      await world.clock.settle(world.p2p.startP2PService('s', world.streamInfo(LIVE), { msgCallback: () => {} })),
    ).toBe(0);
    const stream = world.p2p.startP2PStream('s', { dataCallback: () => {} });
    await world.clock.advance(50); // asked; the camera has not answered yet (200 ms each way)
    world.p2p.stopP2PStream('s');
    expect(await world.clock.settle(stream)).toBe(-2402);
    await destroyLeavesNothing(world);
  });
});
