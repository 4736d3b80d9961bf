import { describe, expect, it } from 'vitest';
import { base64Encode } from '../bytes.js';
import { parseSignal, SIGNAL_MAX_BYTES, viewerToServerSchema } from './messages.js';
import { encodeRelayFrame, parseRelayFrame, RELAY_BINARY_MAX_BYTES } from './start-relay-binary.js';
import {
  deriveRelayKey,
  newRelayKeyPair,
  openRelayFrame,
  RelayFrameError,
  sealRelayFrame,
} from './start-relay-crypto.js';
import { RELAY_KIND_BODY, START_RELAY_FRAME_MAX_BYTES } from './start-relay.js';

async function keys(relayId = 'relay-0001') {
  const viewer = await newRelayKeyPair();
  const camera = await newRelayKeyPair();
  const atViewer = await deriveRelayKey(viewer, camera.publicKey, relayId, viewer.publicKey, camera.publicKey);
  const atCamera = await deriveRelayKey(camera, viewer.publicKey, relayId, viewer.publicKey, camera.publicKey);
  return { viewer, camera, atViewer, atCamera };
}

describe('start relay encryption', () => {
  it('a frame sealed by the camera opens at the viewer, and its bytes are not in the ciphertext', async () => {
    const { atViewer, atCamera } = await keys();
    const flv = new Uint8Array([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
    const sealed = await sealRelayFrame(atCamera, 'relay-0001', 3, RELAY_KIND_BODY, flv);
    expect(Buffer.from(sealed).includes(Buffer.from('FLV'))).toBe(false);
    const opened = await openRelayFrame(atViewer, 'relay-0001', 3, sealed);
    expect(opened.kind).toBe(RELAY_KIND_BODY);
    expect([...opened.payload]).toEqual([...flv]);
  });

  it('a tampered, replayed or moved frame fails to open', async () => {
    const { atViewer, atCamera } = await keys();
    const sealed = await sealRelayFrame(atCamera, 'relay-0001', 0, RELAY_KIND_BODY, new Uint8Array(100));
    const bytes = sealed.slice();
    bytes[5]! ^= 1;
    await expect(openRelayFrame(atViewer, 'relay-0001', 0, bytes)).rejects.toThrow(RelayFrameError);
    await expect(openRelayFrame(atViewer, 'relay-0001', 1, sealed)).rejects.toThrow(/frame 1 failed to decrypt/);
    await expect(openRelayFrame(atViewer, 'relay-0002', 0, sealed)).rejects.toThrow(RelayFrameError);
  });

  it('a node that swapped in its own key cannot open what was sealed for the viewer', async () => {
    const { viewer, camera, atCamera } = await keys();
    const node = await newRelayKeyPair();
    const atNode = await deriveRelayKey(node, camera.publicKey, 'relay-0001', viewer.publicKey, camera.publicKey);
    const sealed = await sealRelayFrame(atCamera, 'relay-0001', 0, RELAY_KIND_BODY, new Uint8Array(10));
    await expect(openRelayFrame(atNode, 'relay-0001', 0, sealed)).rejects.toThrow(RelayFrameError);
  });

  it('the largest frame, binary, fits a signalling message; an offer with a start parses, a bad key does not', async () => {
    const { atCamera, viewer } = await keys();
    const big = await sealRelayFrame(
      atCamera,
      'relay-0001',
      7,
      RELAY_KIND_BODY,
      new Uint8Array(START_RELAY_FRAME_MAX_BYTES),
    );
    const { camera } = await keys();
    const frame = encodeRelayFrame({
      type: 'relay',
      sessionId: 'relay-0001',
      seq: 7,
      key: camera.publicKey,
      data: big,
    });
    expect(frame.byteLength).toBe(RELAY_BINARY_MAX_BYTES - (64 - 'relay-0001'.length));
    expect(RELAY_BINARY_MAX_BYTES).toBeLessThan(SIGNAL_MAX_BYTES);
    expect(parseRelayFrame(frame)).toEqual({
      ok: true,
      message: { type: 'relay', sessionId: 'relay-0001', seq: 7, key: camera.publicKey, data: big },
    });
    const offer = (key: string) =>
      JSON.stringify({
        type: 'offer',
        sessionId: 'session-01',
        token: 't',
        sdp: 'v=0',
        start: { id: 'relay-0001', key, path: 'ipc.flv', query: 'action=live' },
      });
    expect(parseSignal(viewerToServerSchema, offer(viewer.publicKey)).ok).toBe(true);
    expect(parseSignal(viewerToServerSchema, offer('not a key')).ok).toBe(false);
    await expect(deriveRelayKey(viewer, base64Encode(new Uint8Array(65)), 'r', '', '')).rejects.toThrow(
      RelayFrameError,
    );
  });
});
