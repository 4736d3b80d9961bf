import {
  deriveRelayKey,
  encodeFrame,
  newRelayKeyPair,
  RELAY_KIND_BODY,
  RELAY_KIND_TEXT,
  sealRelayFrame,
  utf8Encode,
  type ServerToViewer,
  type ViewerToServer,
} from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import type { SignalChannel } from '../../transport.js';
import { ViewerStartRelay } from './start-relay.js';

/** The viewer's signalling as the relay uses it: what it sent, and a way to deliver the node's messages. */
function signalling() {
  const sent: ViewerToServer[] = [];
  const listeners = new Map<string, (msg: ServerToViewer) => void>();
  const channel: SignalChannel = {
    connect: () => Promise.resolve([]),
    send: (msg) => (sent.push(msg), true),
    onSession: (id, listener) => {
      listeners.set(id, listener);
      return () => listeners.delete(id);
    },
  };
  return { channel, sent, deliver: (id: string, msg: ServerToViewer) => listeners.get(id)?.(msg), listeners };
}

/** A relay, and the camera's end of its key exchange. */
async function relayWithCamera() {
  const s = signalling();
  const relay = await ViewerStartRelay.prepare(s.channel, { path: 'ipc.flv', query: 'action=live' });
  const camera = await newRelayKeyPair();
  const { id, key } = relay.start;
  const cameraKey = await deriveRelayKey(camera, key, id, key, camera.publicKey);
  const seen = { heads: [] as number[], data: [] as number[][], over: [] as string[] };
  relay.listen({
    onHead: (status) => seen.heads.push(status),
    onData: (bytes) => seen.data.push([...bytes]),
    onEnd: () => {},
    onOver: (reason) => seen.over.push(reason),
  });
  const frame = async (seq: number, kind: number, payload: Uint8Array, sealWith = cameraKey) => ({
    type: 'relay' as const,
    sessionId: id,
    seq,
    ...(seq === 0 ? { key: camera.publicKey } : {}),
    data: await sealRelayFrame(sealWith, id, seq, kind, payload),
  });
  const head = utf8Encode(encodeFrame({ type: 'head', status: 200, headers: {} }));
  return { ...s, relay, id, frame, head, seen };
}

const settled = () => new Promise((r) => setTimeout(r, 20));

describe('the viewer end of a start relay', () => {
  it('opens frames in order and hands on head and bytes; waitForFrames resolves once they are in', async () => {
    const r = await relayWithCamera();
    const waiting = r.relay.waitForFrames(2);
    r.deliver(r.id, await r.frame(0, RELAY_KIND_TEXT, r.head));
    r.deliver(r.id, await r.frame(1, RELAY_KIND_BODY, Uint8Array.of(1, 2, 3)));
    await waiting;
    expect(r.seen).toEqual({ heads: [200], data: [[1, 2, 3]], over: [] });
    r.relay.close();
    expect(r.sent).toEqual([{ type: 'bye', sessionId: r.id, reason: 'start relay done' }]);
    expect(r.listeners.size).toBe(0);
  });

  it('a frame that fails to decrypt ends the relay with a clear error; its bytes never reach the app', async () => {
    const r = await relayWithCamera();
    const node = await newRelayKeyPair(); // a node that swapped keys, or garbage
    const { id, key } = r.relay.start;
    const wrong = await deriveRelayKey(node, key, id, key, node.publicKey);
    r.deliver(r.id, await r.frame(0, RELAY_KIND_TEXT, r.head));
    const waiting = r.relay.waitForFrames(2);
    r.deliver(r.id, await r.frame(1, RELAY_KIND_BODY, Uint8Array.of(9, 9, 9), wrong));
    await expect(waiting).rejects.toThrow(/relay frame 1 failed to decrypt/);
    r.deliver(r.id, await r.frame(2, RELAY_KIND_BODY, Uint8Array.of(7)));
    await settled();
    expect(r.seen.data).toEqual([]);
    expect(r.seen.over).toEqual([expect.stringMatching(/relay frame 1 failed to decrypt/)]);
    expect(r.sent).toEqual([{ type: 'bye', sessionId: r.id, reason: expect.stringMatching(/failed to decrypt/) }]);
  });

  it('a frame out of order or without the key ends it; so does the node (cap) and the camera (bye)', async () => {
    const skipped = await relayWithCamera();
    skipped.deliver(skipped.id, await skipped.frame(0, RELAY_KIND_TEXT, skipped.head));
    skipped.deliver(skipped.id, await skipped.frame(2, RELAY_KIND_BODY, Uint8Array.of(1)));
    await settled();
    expect(skipped.seen.over).toEqual(['relay frame 2 came where 1 was due']);
    expect(skipped.seen.data).toEqual([]);

    const keyless = await relayWithCamera();
    const { key: _dropped, ...noKey } = await keyless.frame(0, RELAY_KIND_TEXT, keyless.head);
    keyless.deliver(keyless.id, noKey);
    expect(keyless.seen.over).toEqual(['relay frame 0 carries no key']);

    const capped = await relayWithCamera();
    capped.deliver(capped.id, { type: 'relay-end', sessionId: capped.id, reason: 'cap' });
    await expect(capped.relay.waitForFrames(1)).rejects.toThrow(/at its cap/);
    expect(capped.sent).toEqual([]); // the node ended it already: no bye back

    const byed = await relayWithCamera();
    byed.deliver(byed.id, { type: 'bye', sessionId: byed.id, reason: 'camera shutting down' });
    expect(byed.seen.over).toEqual(['the camera ended the start relay: camera shutting down']);
  });
});
