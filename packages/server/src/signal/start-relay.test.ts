import {
  encodeRelayFrame,
  newRelayKeyPair,
  randomId,
  signViewerToken,
  START_RELAY_FRAME_MAX_BYTES,
} from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientPool,
  connectDevice,
  connectViewer,
  sessionId,
  startTestServer,
  type TestClient,
  type TestServer,
} from '@xp2p/testing/server';
import { parsePrometheusText } from '@xp2p/testing';
import type { AppConfig, DeviceConfig } from '../config/schema.js';
import type { ServerTuning } from '../defaults.js';

let t: TestServer | undefined;
const pool = new ClientPool();
afterEach(async () => {
  await pool.closeAll();
  await t?.server.close();
  t = undefined;
});

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n';
const FRAME = new Uint8Array(750).fill(0x41); // 750 relayed bytes: the node neither can nor needs to read them

async function server(tuning: Partial<ServerTuning> = {}): Promise<TestServer> {
  t = await startTestServer({ tuning });
  return t;
}

const tokenFor = (s: TestServer, device: DeviceConfig, app: AppConfig = s.app) =>
  signViewerToken(device.secret, {
    appid: app.appid,
    productId: device.productId,
    deviceName: device.deviceName,
    user: 'app',
    role: 'viewer',
  });

/** cam1 and cam2 logged in; a viewer of app 1 whose offer to cam1 carries a start (delivered to cam1). */
async function relayedStart(s: TestServer) {
  const cam1 = (await connectDevice(s, pool, s.cam1)).client;
  const cam2 = (await connectDevice(s, pool, s.cam2)).client;
  const viewer = (await connectViewer(s, pool)).client;
  const start = { id: randomId(16), key: (await newRelayKeyPair()).publicKey, path: 'ipc.flv', query: 'action=live' };
  viewer.send({ type: 'offer', sessionId: sessionId(), token: await tokenFor(s, s.cam1), sdp: SDP, start });
  const offer = await cam1.next();
  return { cam1, cam2, viewer, start, offer };
}

/** A relay frame as the viewer gets it (TestClient parses binary messages), and the bytes a camera sends for it. */
const frame = (id: string, seq: number, data = FRAME, key?: string) => ({
  type: 'relay' as const,
  sessionId: id,
  seq,
  data,
  ...(key ? { key } : {}),
});
const wire = (f: ReturnType<typeof frame>) => encodeRelayFrame(f);

async function metric(s: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${s.server.url}/metrics`)).text();
  return parsePrometheusText(text).get(name) ?? 0;
}

/** Nothing more arrives at `client` within a short while (what was refused stayed refused). */
async function silent(client: TestClient): Promise<void> {
  await expect(client.next(300)).rejects.toThrow(/no message/);
}

describe('relay-first start on the node', () => {
  it("forwards the camera's sealed frames to the viewer unchanged, and counts them in /metrics", async () => {
    const s = await server();
    const { cam1, viewer, start, offer } = await relayedStart(s);
    expect(offer).toMatchObject({ type: 'offer', start });
    cam1.send(wire(frame(start.id, 0, FRAME, start.key)));
    cam1.send(wire(frame(start.id, 1)));
    expect(await viewer.next()).toEqual(frame(start.id, 0, FRAME, start.key));
    expect(await viewer.next()).toEqual(frame(start.id, 1));
    // each frame that went on is acknowledged to the camera (it measures its relay's lag by them)
    expect(await cam1.next()).toEqual({ type: 'relay-ack', sessionId: start.id, seq: 0 });
    expect(await cam1.next()).toEqual({ type: 'relay-ack', sessionId: start.id, seq: 1 });
    expect(await metric(s, 'xp2p_start_relay_bytes_total')).toBe(1500);
    expect(await metric(s, 'xp2p_start_relays_total{end="opened"}')).toBe(1);
    // the viewer's bye ends it (its stream moved to P2P): the camera hears it, later frames are refused
    viewer.send({ type: 'bye', sessionId: start.id });
    expect(await cam1.next()).toMatchObject({ type: 'bye', sessionId: start.id });
    cam1.send(wire(frame(start.id, 2)));
    expect(await cam1.next()).toMatchObject({ type: 'error', status: 404, sessionId: start.id });
    await silent(viewer);
  });

  it('refuses frames from another device and a bye or frame from another viewer, of this tenant or another', async () => {
    const s = await server();
    const { cam1, cam2, viewer, start } = await relayedStart(s);
    // another camera cannot feed this viewer's relay
    cam2.send(wire(frame(start.id, 0)));
    expect(await cam2.next()).toMatchObject({ type: 'error', status: 404, sessionId: start.id });
    // another viewer of the same app, and a viewer of another app, cannot end it or send into it
    const sameApp = (await connectViewer(s, pool)).client;
    const otherApp = (await connectViewer(s, pool, s.otherApp)).client;
    for (const other of [sameApp, otherApp]) {
      other.send({ type: 'bye', sessionId: start.id });
      expect(await other.next()).toMatchObject({ type: 'error', status: 404, sessionId: start.id });
      other.send(wire(frame(start.id, 0))); // viewers never send relay frames: binary is refused from them
      expect(await other.next()).toMatchObject({ type: 'error', status: 400 });
    }
    // the relay still stands between its own two ends, and nothing reached anyone else
    cam1.send(wire(frame(start.id, 0, FRAME, start.key)));
    expect(await viewer.next()).toMatchObject({ type: 'relay', sessionId: start.id, seq: 0 });
    expect(await cam1.next()).toEqual({ type: 'relay-ack', sessionId: start.id, seq: 0 });
    await silent(cam1);
    await silent(sameApp);
    await silent(otherApp);
  });

  it('a start inside an offer the node refuses goes nowhere; a taken relay id is refused, the offer still goes', async () => {
    const s = await server();
    const { cam1, start } = await relayedStart(s);
    const otherApp = (await connectViewer(s, pool, s.otherApp)).client;
    // app 2's viewer with a token issued to app 1: refused, cam1 never sees the offer nor its start
    const stolen = { ...start, id: randomId(16) };
    otherApp.send({ type: 'offer', sessionId: sessionId(), token: await tokenFor(s, s.cam1), sdp: SDP, start: stolen });
    expect(await otherApp.next()).toMatchObject({ type: 'error', status: 401 });
    // a second viewer reusing the first one's relay id cannot join its relay
    const second = (await connectViewer(s, pool)).client;
    const id = sessionId();
    second.send({ type: 'offer', sessionId: id, token: await tokenFor(s, s.cam1), sdp: SDP, start });
    expect(await second.next()).toMatchObject({ type: 'error', status: 409, sessionId: start.id });
    const offer = await cam1.next();
    expect(offer).toMatchObject({ type: 'offer', sessionId: id });
    expect(offer.start).toBeUndefined();
    await silent(cam1);
  });

  it('a frame over the size limit is refused by the schema, and nothing is forwarded', async () => {
    const s = await server();
    const { cam1, viewer, start } = await relayedStart(s);
    cam1.send(wire(frame(start.id, 0, new Uint8Array(START_RELAY_FRAME_MAX_BYTES + 64))));
    expect(await cam1.next()).toMatchObject({ type: 'error', status: 400, message: /invalid relay frame/ });
    cam1.send(JSON.stringify({ type: 'relay', sessionId: start.id, seq: 0, data: 'QUFB' })); // JSON: not any more
    expect(await cam1.next()).toMatchObject({ type: 'error', status: 400 });
    await silent(viewer);
  });

  it('ends the relay at its byte cap: both ends hear relay-end, later frames are refused', async () => {
    const s = await server({ startRelayMaxBytes: 2_000 });
    const { cam1, viewer, start } = await relayedStart(s);
    cam1.send(wire(frame(start.id, 0)));
    cam1.send(wire(frame(start.id, 1)));
    cam1.send(wire(frame(start.id, 2))); // 2,250 bytes: over the cap
    expect(await viewer.next()).toMatchObject({ seq: 0 });
    expect(await viewer.next()).toMatchObject({ seq: 1 });
    expect(await viewer.next()).toEqual({ type: 'relay-end', sessionId: start.id, reason: 'cap' });
    // the frames that went on were acknowledged; the one over the cap was not
    expect(await cam1.next()).toMatchObject({ type: 'relay-ack', seq: 0 });
    expect(await cam1.next()).toMatchObject({ type: 'relay-ack', seq: 1 });
    expect(await cam1.next()).toEqual({ type: 'relay-end', sessionId: start.id, reason: 'cap' });
    cam1.send(wire(frame(start.id, 3)));
    expect(await cam1.next()).toMatchObject({ type: 'error', status: 404 });
    await silent(viewer);
    expect(await metric(s, 'xp2p_start_relay_bytes_total')).toBe(1500);
    expect(await metric(s, 'xp2p_start_relays_total{end="cap"}')).toBe(1);
  });

  it('a burst the viewer cannot take at once (a long path) waits for its socket: all of it arrives, in order', async () => {
    // a small send buffer, so that the kernel's socket buffers on loopback cannot hide the backlog
    const s = await server({ maxSendBufferBytes: 256 * 1024, startRelayMaxBytes: 8 * 1024 * 1024 });
    const { cam1, viewer, start } = await relayedStart(s);
    // a burst (a GOP cache) while the viewer's socket takes nothing, as a TCP window restarting small at
    // 300 ms round trip takes it slowly: it used to be cut once half the send buffer was queued
    viewer.ws.pause();
    const frames = 140;
    const big = new Uint8Array(30 * 1024).map((_, i) => i % 251);
    for (let seq = 0; seq < frames; seq++) cam1.send(wire(frame(start.id, seq, big)));
    for (let seq = 0; seq < frames; seq++) expect(await cam1.next()).toMatchObject({ type: 'relay-ack', seq });
    // the viewer's signalling is not cut for it either
    viewer.ws.resume();
    for (let seq = 0; seq < frames; seq++) {
      const got = (await viewer.next()) as ReturnType<typeof frame>;
      expect(got).toMatchObject({ type: 'relay', sessionId: start.id, seq });
      expect(Buffer.from(got.data).equals(big), `frame ${seq} arrived unchanged`).toBe(true);
    }
    viewer.send({ type: 'ping' });
    expect(await viewer.next()).toEqual({ type: 'pong' });
    expect(await metric(s, 'xp2p_start_relays_total{end="cap"}')).toBe(0);
  });

  it('a relay ended at its cap while frames still wait for the socket: relay-end comes after the last one', async () => {
    // more than the kernel's socket buffers take on loopback (~4 MB), so that frames wait in the node
    const frames = 200;
    const tuning = { maxSendBufferBytes: 256 * 1024, startRelayMaxBytes: frames * 30 * 1024, messageBurst: 400 };
    const s = await server(tuning);
    const { cam1, viewer, start } = await relayedStart(s);
    viewer.ws.pause();
    const big = new Uint8Array(30 * 1024).fill(7);
    for (let seq = 0; seq <= frames; seq++) cam1.send(wire(frame(start.id, seq, big))); // the last is over the cap
    for (let seq = 0; seq < frames; seq++) expect(await cam1.next()).toMatchObject({ type: 'relay-ack', seq });
    expect(await cam1.next()).toEqual({ type: 'relay-end', sessionId: start.id, reason: 'cap' });
    viewer.ws.resume();
    for (let seq = 0; seq < frames; seq++) expect(await viewer.next()).toMatchObject({ type: 'relay', seq });
    expect(await viewer.next()).toEqual({ type: 'relay-end', sessionId: start.id, reason: 'cap' });
  });

  it('ends the relay at its time bound: the node never becomes a long-term relay', async () => {
    const s = await server({ startRelayMaxMs: 300 });
    const { cam1, viewer, start } = await relayedStart(s);
    expect(await viewer.next(2_000)).toEqual({ type: 'relay-end', sessionId: start.id, reason: 'timeout' });
    expect(await cam1.next(2_000)).toEqual({ type: 'relay-end', sessionId: start.id, reason: 'timeout' });
    expect(await metric(s, 'xp2p_start_relays_total{end="timeout"}')).toBe(1);
  });

  it('with relay-first starts off, the start is refused and the offer goes on without it', async () => {
    const s = await server({ startRelayMaxBytes: 0 });
    const { viewer, start, offer } = await relayedStart(s);
    expect(offer.start).toBeUndefined();
    expect(await viewer.next()).toMatchObject({ type: 'error', status: 403, sessionId: start.id });
  });
});
