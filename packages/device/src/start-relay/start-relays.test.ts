import { readFileSync } from 'node:fs';
import { probeFlv } from '@xp2p/testing';
import {
  concatBytes,
  deriveRelayKey,
  newRelayKeyPair,
  openRelayFrame,
  parseFlv,
  RELAY_FRAMES_HEADER,
  RELAY_KIND_BODY,
  RELAY_KIND_TEXT,
  startsGop,
  utf8Decode,
  type DeviceToServer,
  type RelayFrame,
} from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { LiveHub } from '../media/live-hub.js';
import { bundledSamplePath } from '../media/sample.js';
import type { RequestHandler, ResponseWriter } from '../response-writer.js';
import { RELAY_FRAME_BYTES } from './relay-writer.js';
import { StartRelays } from './start-relays.js';

/** What a P2P request channel's writer saw (the camera's side of the hand-over). */
class RecordingWriter implements ResponseWriter {
  heads: { status: number; headers: Record<string, string> }[] = [];
  body: number[] = [];
  failed: { status: number; message: string } | undefined;
  closed = false;
  #close: (() => void)[] = [];
  head(status: number, headers: Record<string, string> = {}) {
    this.heads.push({ status, headers });
  }
  write(bytes: Uint8Array) {
    this.body.push(...bytes);
    return true;
  }
  end() {}
  fail(status: number, message: string) {
    this.failed = { status, message };
  }
  get bufferedAmount() {
    return 0;
  }
  drained() {
    return Promise.resolve();
  }
  onClose(cb: () => void) {
    this.#close.push(cb);
  }
  onUpstream() {}
  /** the viewer closed the channel */
  hangUp() {
    for (const cb of this.#close.splice(0)) cb();
  }
}

/** A live source standing in for the router: the head, then `bytes`, then whatever `push` writes. */
function liveSource(bytes: Uint8Array) {
  let res: ResponseWriter | undefined;
  let closed = 0;
  const handler: RequestHandler = (_req, _params, writer) => {
    res = writer;
    writer.head(200, { 'content-type': 'video/x-flv' });
    writer.write(bytes);
    writer.onClose(() => closed++);
  };
  return { handler, push: (b: Uint8Array) => res?.write(b), closed: () => closed };
}

async function setUp(bytes: Uint8Array, maxMs = 5_000) {
  const sent: DeviceToServer[] = [];
  const source = liveSource(bytes);
  const relays = new StartRelays({ handler: source.handler, send: (m) => (sent.push(m), true), maxMs, log: () => {} });
  const viewer = await newRelayKeyPair();
  const start = { id: 'relay-abcdefgh', key: viewer.publicKey, path: 'ipc.flv', query: 'action=live' };
  await relays.open(start, 'viewer-nonce');
  /** the frames sent so far, opened as the viewer would */
  const opened = async () => {
    const frames = sent.filter((m): m is RelayFrame => m.type === 'relay');
    const key = await deriveRelayKey(viewer, frames[0]!.key!, start.id, start.key, frames[0]!.key!);
    return Promise.all(frames.map((f, i) => (expect(f.seq).toBe(i), openRelayFrame(key, start.id, f.seq, f.data))));
  };
  /** waits until `n` relay frames went out (sealing is asynchronous: WebCrypto) */
  const framesSent = (n: number) => expect.poll(() => sent.filter((m) => m.type === 'relay').length).toBe(n);
  return { sent, relays, source, start, opened, framesSent };
}

describe("the camera's start relays", () => {
  it('seals the head and the GOP in numbered frames, then hands the same subscription over at the exact frame', async () => {
    const gop = new Uint8Array(RELAY_FRAME_BYTES * 2 + 100).map((_, i) => i % 251);
    const { relays, source, start, opened, framesSent } = await setUp(gop);
    await framesSent(4);
    const frames = await opened();
    expect(frames.map((f) => f.kind)).toEqual([RELAY_KIND_TEXT, RELAY_KIND_BODY, RELAY_KIND_BODY, RELAY_KIND_BODY]);
    expect(JSON.parse(utf8Decode(frames[0]!.payload))).toMatchObject({ type: 'head', status: 200 });
    expect(frames.slice(1).flatMap((f) => [...f.payload])).toEqual([...gop]);

    // another viewer's P2P request cannot take it; its own can, and the bytes written next go there
    const stranger = new RecordingWriter();
    relays.handOver(start.id, 'another-nonce', stranger);
    expect(stranger.failed).toMatchObject({ status: 410 });
    source.push(Uint8Array.of(1, 2)); // written before the hand-over: a relay frame
    const channel = new RecordingWriter();
    relays.handOver(start.id, 'viewer-nonce', channel);
    source.push(Uint8Array.of(3, 4));
    await framesSent(5);
    expect(channel.heads).toEqual([{ status: 200, headers: expect.objectContaining({ [RELAY_FRAMES_HEADER]: '5' }) }]);
    expect(channel.body).toEqual([3, 4]);
    expect((await opened()).length).toBe(5);
    expect(relays.size).toBe(0);
    // the subscription ends with the channel, not with the relay
    expect(source.closed()).toBe(0);
    channel.hangUp();
    expect(source.closed()).toBe(1);
  });

  it('a relay not taken over within its bound stops: the subscription ends and the server hears bye', async () => {
    const { sent, relays, source, start } = await setUp(Uint8Array.of(1), 50);
    await expect.poll(() => source.closed()).toBe(1);
    expect(sent.at(-1)).toMatchObject({ type: 'bye', sessionId: start.id });
    const late = new RecordingWriter();
    relays.handOver(start.id, 'viewer-nonce', late);
    expect(late.failed).toMatchObject({ status: 410 });
  });

  it('a relayed start that has not answered yet is not handed over (the viewer asks afresh)', async () => {
    const sent: DeviceToServer[] = [];
    const relays = new StartRelays({
      handler: () => {},
      send: (m) => (sent.push(m), true),
      maxMs: 1_000,
      log: () => {},
    });
    const key = (await newRelayKeyPair()).publicKey;
    await relays.open({ id: 'relay-pending', key, path: 'ipc.flv', query: 'action=live' }, 'v');
    const channel = new RecordingWriter();
    relays.handOver('relay-pending', 'v', channel);
    expect(channel.failed).toMatchObject({ status: 410 });
    expect(channel.heads).toEqual([]);
    relays.closeAll('test over');
  });

  it('relays only a live request', async () => {
    const sent: DeviceToServer[] = [];
    const relays = new StartRelays({
      handler: () => expect.fail('not served'),
      send: (m) => (sent.push(m), true),
      maxMs: 1_000,
      log: () => {},
    });
    const key = (await newRelayKeyPair()).publicKey;
    await relays.open({ id: 'relay-download', key, path: 'ipc.flv', query: 'action=download' }, 'v');
    expect(sent).toEqual([{ type: 'bye', sessionId: 'relay-download', reason: 'only a live request is relayed' }]);
  });
});

describe('a start relay on an uplink slower than its stream', () => {
  it('stops carrying media once it lags; the channel continues at a keyframe: one FLV that decodes', async () => {
    const tags = parseFlv(new Uint8Array(readFileSync(bundledSamplePath()))).tags; // 1 s GOPs
    const hub = new LiveHub();
    const joinAt = tags.findIndex((t) => t.timestamp >= 2500); // the middle of the third GOP
    for (const tag of tags.slice(0, joinAt)) hub.onTag(tag);
    const sent: DeviceToServer[] = [];
    let now = 0;
    const handler: RequestHandler = (_req, _params, res) => {
      res.head(200, { 'content-type': 'video/x-flv' });
      const unsubscribe = hub.subscribe({ write: (b) => void res.write(b), bufferedAmount: () => res.bufferedAmount });
      res.onClose(unsubscribe);
    };
    // a window of 16 KiB that the node never acknowledges: the camera's uplink carries nothing more
    const relays = new StartRelays({
      handler,
      send: (m) => (sent.push(m), true),
      maxMs: 5_000,
      log: () => {},
      pacing: { windowBytes: 16 * 1024, maxLagMs: 500, now: () => now },
    });
    const viewer = await newRelayKeyPair();
    const start = { id: 'relay-slow-uplink', key: viewer.publicKey, path: 'ipc.flv', query: 'action=live' };
    await relays.open(start, 'viewer-nonce');
    // 200 ms of live tags, then the relay has lagged 600 ms: the rest of this GOP is skipped
    const at = (ms: number) => tags.findIndex((t) => t.timestamp >= ms);
    for (const tag of tags.slice(joinAt, at(2700))) hub.onTag(tag);
    now += 600;
    for (const tag of tags.slice(at(2700), at(3200))) hub.onTag(tag);
    const channel = new RecordingWriter();
    relays.handOver(start.id, 'viewer-nonce', channel);
    for (const tag of tags.slice(at(3200), at(5000))) hub.onTag(tag);

    await expect.poll(() => sent.filter((m) => m.type === 'relay').length).toBeGreaterThan(1);
    const frames = sent.filter((m): m is RelayFrame => m.type === 'relay');
    const relayed = Number(channel.heads[0]!.headers[RELAY_FRAMES_HEADER]);
    expect(frames).toHaveLength(relayed);
    const key = await deriveRelayKey(viewer, frames[0]!.key!, start.id, start.key, frames[0]!.key!);
    const opened = await Promise.all(frames.map((f) => openRelayFrame(key, start.id, f.seq, f.data)));
    const relayedBody = concatBytes(opened.filter((f) => f.kind === RELAY_KIND_BODY).map((f) => f.payload));
    // the relay carried no more than its window (and the head)
    expect(relayedBody.byteLength).toBeLessThanOrEqual(16 * 1024);
    // what the viewer plays: relay frames, then the channel's bytes
    const stream = concatBytes([relayedBody, Uint8Array.from(channel.body)]);
    const out = parseFlv(stream).tags;
    const keyframes = out.filter(startsGop).map((t) => t.timestamp);
    // the joined GOP (from 2000 ms, at 0), then a skip to the GOP at 4000 ms: the first after the hand-over
    expect(keyframes).toHaveLength(2);
    expect(keyframes[1]! - keyframes[0]!).toBeLessThan(1_000); // timestamps continue, they do not jump ahead
    for (let i = 1; i < out.length; i++) expect(out[i]!.timestamp).toBeGreaterThanOrEqual(out[i - 1]!.timestamp);
    const probed = await probeFlv(stream);
    expect(probed.decodeErrors).toBe('');
    hub.close();
  });
});
