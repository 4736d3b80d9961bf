/**
 * A neighbour whose connect failed is tried again soon, then less and less often: one lost handshake costs a
 * couple of seconds of mesh, not `reconnectAfterMs`, and a peer that cannot be reached is not hammered.
 */
import type { InitMeta } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../sim/virtual-clock.js';
import { clockedOrigin, hashedChunk, patternBytes, recordingPeer } from './hashed-chunks.test-support.js';
import { webCryptoSha256Hex } from './hash.js';
import type { MeshTransport } from './types.js';

describe('reconnect back-off', () => {
  it('retries an unreachable neighbour after 2, 4, 8, 16 s, then every 20 s', async () => {
    const clock = new VirtualClock();
    const initBytes = patternBytes(200, 5);
    const init: InitMeta = { initId: 0, size: initBytes.byteLength, hash: await webCryptoSha256Hex(initBytes) };
    const chunk = await hashedChunk(0, 2000, true, 1024);
    const { origin } = clockedOrigin(clock, initBytes, () => chunk.bytes);
    const tries: number[] = [];
    const mesh: MeshTransport = {
      onIncoming: undefined,
      connect: () => {
        tries.push(clock.now());
        // the failure settles at the virtual time of the try (tracked, so time waits for it)
        return clock.track(Promise.resolve()).then(() => Promise.reject(new Error('handshake lost')));
      },
    };
    const { engine } = recordingPeer(clock, origin, mesh, {});
    engine.join({ peerId: 'me', epoch: 'e1', init, neighbours: ['other'], recentChunks: [chunk.meta] });
    await clock.run(75_000);
    engine.stop();
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    // retries are checked on the engine's tick, so each gap is its back-off plus at most one check period
    const backoffs = [2000, 4000, 8000, 16_000, 20_000, 20_000];
    expect(gaps.length).toBe(backoffs.length);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(backoffs[i]!);
      expect(gap).toBeLessThanOrEqual(backoffs[i]! + 1100);
    });
  });
});
