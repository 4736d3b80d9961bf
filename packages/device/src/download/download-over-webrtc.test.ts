/**
 * A download through the real request-channel writer over a real WebRTC data channel on loopback:
 * the bytes arrive intact, and fast (the 1v1 goal is >= 60 MB/s on loopback).
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame, parseResponseFrame, REQUEST_CHANNEL_LABEL } from '@xp2p/protocol';
import { LiveHandler } from '../live-handler.js';
import { LiveHub } from '../media/live-hub.js';
import { serveRequestChannel } from '../request-channel.js';
import { createRouter } from '../router.js';
import { cleanupWebRTC, createPeerConnection } from '../rtc.js';
import { DownloadHandler } from './download-handler.js';

const pcs: RTCPeerConnection[] = [];
let dir: string | undefined;
afterAll(async () => {
  for (const pc of pcs) pc.close();
  cleanupWebRTC();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function newPair(): { viewer: RTCPeerConnection; camera: RTCPeerConnection } {
  const viewer = createPeerConnection({ iceServers: [], bindAddress: '127.0.0.1' });
  const camera = createPeerConnection({ iceServers: [], bindAddress: '127.0.0.1' });
  pcs.push(viewer, camera);
  viewer.onicecandidate = (e) => e.candidate && void camera.addIceCandidate(e.candidate).catch(() => {});
  camera.onicecandidate = (e) => e.candidate && void viewer.addIceCandidate(e.candidate).catch(() => {});
  return { viewer, camera };
}

/**
 * Offer/answer between two peers of this process, and the viewer's open control channel.
 * libdatachannel now and then rejects a well-formed answer with "Got a remote candidate without ICE
 * transport" when both peers live in one busy process (seen once in CI, under a full parallel test run).
 * The sdk survives it in production: a failed attempt starts another on a fresh peer connection
 * (ipc-session's raceAttempts). This harness has no such race, so it retries the same way, a bounded
 * number of times, and fails on any other error.
 */
async function connectedPair(): Promise<{ viewer: RTCPeerConnection; camera: RTCPeerConnection }> {
  for (let attempt = 1; ; attempt++) {
    const { viewer, camera } = newPair();
    const control = viewer.createDataChannel('control');
    try {
      const offer = await viewer.createOffer();
      await viewer.setLocalDescription(offer);
      await camera.setRemoteDescription(viewer.localDescription!);
      const answer = await camera.createAnswer();
      await camera.setLocalDescription(answer);
      await viewer.setRemoteDescription(camera.localDescription!);
      await new Promise<void>((resolve) => (control.onopen = () => resolve()));
      return { viewer, camera };
    } catch (err) {
      viewer.close();
      camera.close();
      if (attempt >= 3 || !String(err).includes('without ICE transport')) throw err;
    }
  }
}

describe('download over a real data channel', () => {
  // Both peers and the viewer's hashing share this one process, so this measures less than two
  // processes do (~100 MB/s per DESIGN.md); the floor catches a broken backpressure loop, not tuning.
  it('delivers a 64 MiB file intact, twice, the second without re-hashing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'xp2p-dlrtc-'));
    const file = randomBytes(64 * 1024 * 1024);
    writeFileSync(join(dir, 'big.bin'), file);
    const hub = new LiveHub();
    const router = createRouter({ live: new LiveHandler(hub, 4), channels: 1, download: new DownloadHandler(dir) });
    const { viewer, camera } = await connectedPair();
    camera.ondatachannel = (ev) => {
      if (ev.channel.label === REQUEST_CHANNEL_LABEL)
        serveRequestChannel(ev.channel, router, () => {}, { sessionId: 's' });
    };

    const fetchOnce = async () => {
      const channel = viewer.createDataChannel(REQUEST_CHANNEL_LABEL);
      channel.binaryType = 'arraybuffer';
      const hash = createHash('sha256');
      let received = 0;
      let headers: Record<string, string> = {};
      let t0 = 0;
      const done = new Promise<void>((resolve, reject) => {
        channel.onmessage = (ev: MessageEvent) => {
          if (typeof ev.data !== 'string') {
            const bytes = new Uint8Array(ev.data as ArrayBuffer);
            received += bytes.byteLength;
            hash.update(bytes);
            return;
          }
          const frame = parseResponseFrame(ev.data);
          if (!frame.ok) return reject(new Error(frame.error));
          if (frame.message.type === 'head') headers = frame.message.headers;
          else if (frame.message.type === 'end') resolve();
          else reject(new Error(frame.message.message));
        };
      });
      channel.onopen = () => {
        t0 = performance.now();
        channel.send(
          encodeFrame({ type: 'request', v: 1, path: 'ipc.flv', query: 'action=download&file_name=big.bin' }),
        );
      };
      await done;
      const seconds = (performance.now() - t0) / 1000;
      channel.close();
      return { seconds, received, headers, digest: hash.digest('hex') };
    };
    const first = await fetchOnce();
    const second = await fetchOnce();
    hub.close();
    const fileHash = createHash('sha256').update(file).digest('hex');
    for (const got of [first, second]) {
      expect(got.received).toBe(file.byteLength);
      expect(got.headers['x-file-sha256']).toBe(fileHash);
      expect(got.digest).toBe(fileHash);
    }
    const mbPerS = file.byteLength / 1e6 / second.seconds;
    console.log(`download over loopback WebRTC, one process: ${mbPerS.toFixed(0)} MB/s`);
    expect(mbPerS).toBeGreaterThan(20);
  });
});
