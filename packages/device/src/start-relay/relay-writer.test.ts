import { newRelayKeyPair, deriveRelayKey, openRelayFrame, RELAY_KIND_BODY, type RelayFrame } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { RELAY_FRAME_BYTES, RELAY_FULL, RelayResponseWriter } from './relay-writer.js';

async function writer(windowBytes: number, maxLagMs = 500) {
  const viewer = await newRelayKeyPair();
  const camera = await newRelayKeyPair();
  const relayId = 'relay-pacing';
  const key = deriveRelayKey(camera, viewer.publicKey, relayId, viewer.publicKey, camera.publicKey);
  const sent: RelayFrame[] = [];
  let now = 0;
  const w = new RelayResponseWriter({
    relayId,
    key,
    cameraKey: camera.publicKey,
    send: (m) => (m.type === 'relay' && sent.push(m), true),
    log: () => {},
    windowBytes,
    maxLagMs,
    now: () => now,
  });
  /** the body bytes of the frames sent so far, opened as the viewer would */
  const body = async () => {
    const k = await key;
    const opened = await Promise.all(sent.map((f) => openRelayFrame(k, relayId, f.seq, f.data)));
    return opened.filter((f) => f.kind === RELAY_KIND_BODY).flatMap((f) => [...f.payload]);
  };
  const sentCount = (n: number) => expect.poll(() => sent.length).toBe(n);
  return { w, sent, body, sentCount, tick: (ms: number) => (now += ms) };
}

describe('the start relay writer, paced by the node', () => {
  it('sends at most its window unacknowledged; each ack lets the next frames go', async () => {
    const { w, sent, sentCount } = await writer(2 * RELAY_FRAME_BYTES + 100);
    w.head(200);
    w.write(new Uint8Array(5 * RELAY_FRAME_BYTES));
    await sentCount(3); // the head and two body frames: a third would pass the window
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(3);
    // nothing acknowledged: the head and all five body frames are still the relay's backlog
    expect(w.bufferedAmount).toBeGreaterThan(5 * RELAY_FRAME_BYTES);
    w.acked(1); // the head and the first body frame
    await sentCount(4);
    w.acked(3);
    await sentCount(6);
    expect(sent.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    w.acked(5);
    expect(w.bufferedAmount).toBe(0);
  });

  it('stops for good once bytes wait longer than its lag bound, and hands what waits to the channel', async () => {
    const { w, sent, body, sentCount, tick } = await writer(2 * RELAY_FRAME_BYTES, 500);
    const gop = new Uint8Array(4 * RELAY_FRAME_BYTES).map((_, i) => i % 253);
    w.head(200);
    w.write(gop);
    await sentCount(2); // the head and one body frame: the window is full
    tick(500);
    expect(w.bufferedAmount).toBeLessThan(RELAY_FULL);
    w.acked(0);
    await sentCount(3);
    tick(1);
    // bytes waited over 500 ms: full for the live hub, and nothing more goes, acknowledged or not
    expect(w.bufferedAmount).toBe(RELAY_FULL);
    w.acked(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(3);
    expect(w.bufferedAmount).toBe(RELAY_FULL);
    const { frames, rest } = w.handOver();
    expect(frames).toBe(3);
    expect(rest).toHaveLength(2);
    // relayed and held back: every byte once, in order
    expect([...(await body()), ...rest.flatMap((b) => [...b])]).toEqual([...gop]);
    expect(w.write(Uint8Array.of(1))).toBe(false);
  });
});
