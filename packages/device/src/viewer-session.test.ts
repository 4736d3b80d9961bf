/**
 * One viewer with a valid token opens request channels without end (each a handler on the camera):
 * the camera serves at most maxRequestChannelsPerSession of them at once and answers the rest 429.
 */
import { encodeFrame, parseResponseFrame, REQUEST_CHANNEL_LABEL } from '@xp2p/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICE_DEFAULTS } from './defaults.js';
import { cleanupWebRTC, createPeerConnection } from './rtc.js';
import { ViewerSession } from './viewer-session.js';

const closers: (() => void)[] = [];
afterAll(() => {
  for (const c of closers) c();
  cleanupWebRTC();
});

describe('ViewerSession', () => {
  it('caps the request channels one session holds open at once', async () => {
    const viewer = createPeerConnection({ iceServers: [], bindAddress: '127.0.0.1' });
    closers.push(() => viewer.close());
    const control = viewer.createDataChannel('control');
    await viewer.setLocalDescription(await viewer.createOffer());
    let handled = 0;
    let answered!: (sdp: string) => void;
    const answer = new Promise<string>((resolve) => (answered = resolve));
    const session = new ViewerSession({
      sessionId: 'attacker',
      appid: 'app',
      offerSdp: viewer.localDescription!.sdp,
      iceServers: [],
      rtcConfigExtras: { bindAddress: '127.0.0.1' },
      createPeerConnection,
      openTimeoutMs: 15_000,
      sendAnswer: answered,
      sendCandidate: (candidate, mid) => void viewer.addIceCandidate({ candidate, sdpMid: mid }).catch(() => {}),
      handler: () => void handled++, // holds every request open, like a live view
      log: () => {},
      onClosed: () => {},
    });
    closers.push(() => session.close('test over'));
    viewer.onicecandidate = (e) => {
      if (e.candidate?.candidate) session.addCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0');
    };
    await session.start();
    await viewer.setRemoteDescription({ type: 'answer', sdp: await answer });
    await new Promise<void>((resolve) => (control.onopen = () => resolve()));

    const cap = DEVICE_DEFAULTS.maxRequestChannelsPerSession;
    const statuses = await Promise.all(
      Array.from(
        { length: cap + 4 },
        () =>
          new Promise<number | 'open'>((resolve) => {
            const channel = viewer.createDataChannel(REQUEST_CHANNEL_LABEL);
            channel.onopen = () => {
              channel.send(encodeFrame({ type: 'request', v: 1, path: 'ipc.flv', query: 'action=live&channel=0' }));
              setTimeout(() => resolve('open'), 1_500); // held by the handler: no answer
            };
            channel.onmessage = (ev: MessageEvent) => {
              const frame = parseResponseFrame(ev.data as string);
              if (frame.ok && frame.message.type === 'head') resolve(frame.message.status);
            };
          }),
      ),
    );
    expect(handled).toBe(cap);
    expect(statuses.filter((s) => s === 'open').length).toBe(cap);
    expect(statuses.filter((s) => s === 429).length).toBe(4);
  });
});
