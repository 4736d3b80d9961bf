/**
 * Offers flooding a peer through the tracker (issue 13): each answered offer costs a real peer connection,
 * so a peer answers at most `maxIncomingPending` at once, and one peer re-offering in a loop gets one.
 */
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { afterAll, describe, expect, it } from 'vitest';
import { SWARM_CHANNEL_LABEL, type PeerSignal } from '@xp2p/protocol';
import { loopbackPlatform } from './loopback-platform.test-support.js';
import { WebRtcMesh } from './webrtc-mesh.js';

const platform = loopbackPlatform;

afterAll(async () => {
  (await import('node-datachannel')).default.cleanup();
});

/** A real offer SDP (a data channel on loopback), as an attacker would send many of. */
async function realOffer(): Promise<{ sdp: string; close: () => void }> {
  const pc = new RTCPeerConnection({ iceServers: [], bindAddress: '127.0.0.1' } as RTCConfiguration);
  pc.createDataChannel(SWARM_CHANNEL_LABEL);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return { sdp: offer.sdp!, close: () => pc.close() };
}

/**
 * Feeds offers (one per `froms` entry) to a fresh mesh; counts the answers it sends within `waitMs` and the
 * peer connections it made (real ones, counted).
 */
async function answersTo(froms: string[], sdp: string, waitMs = 1500): Promise<{ answers: number; made: number }> {
  let answers = 0;
  let made = 0;
  const Real = platform.RTCPeerConnection;
  const counting = {
    ...platform,
    RTCPeerConnection: class extends Real {
      constructor(config: RTCConfiguration & Record<string, unknown> = {}) {
        super(config);
        made++;
      }
    },
  };
  const mesh = new WebRtcMesh(counting, {
    send: (_to: string, signal: PeerSignal) => {
      if (signal.kind === 'answer') answers++;
      return true;
    },
  });
  mesh.configure('victim', []);
  mesh.onIncoming = (link) => link.close();
  for (const from of froms) mesh.handleSignal(from, { kind: 'offer', sdp });
  await new Promise((r) => setTimeout(r, waitMs));
  mesh.close();
  return { answers, made };
}

describe('inbound offers', () => {
  it('30 peers offering at once get at most 8 answers (8 peer connections)', async () => {
    const offer = await realOffer();
    const { answers, made } = await answersTo(
      Array.from({ length: 30 }, (_, i) => `attacker-${i}`),
      offer.sdp,
    );
    offer.close();
    expect(answers).toBeGreaterThan(0);
    expect(answers).toBeLessThanOrEqual(8);
    expect(made).toBeLessThanOrEqual(8);
  });

  it('one peer offering 20 times in a row costs one peer connection', async () => {
    const offer = await realOffer();
    const { answers, made } = await answersTo(
      Array.from({ length: 20 }, () => 'attacker'),
      offer.sdp,
    );
    offer.close();
    expect(answers).toBe(1);
    expect(made).toBe(1);
  });
});
