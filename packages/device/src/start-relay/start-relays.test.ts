import {
  deriveRelayKey,
  newRelayKeyPair,
  openRelayFrame,
  RELAY_FRAMES_HEADER,
  RELAY_KIND_BODY,
  RELAY_KIND_TEXT,
  utf8Decode,
  type DeviceToServer,
  type RelayFrame,
} from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
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
