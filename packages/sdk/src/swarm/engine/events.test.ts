/**
 * Typed events: a listener gets exactly the kind it subscribed to, stops getting them once it unsubscribes,
 * and one that throws breaks neither the engine nor the listeners after it.
 */
import type { InitMeta } from '@xp2p/protocol';
import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../sim/virtual-clock.js';
import { SwarmEvents } from './events.js';
import { clockedOrigin, hashedChunk, patternBytes, recordingPeer } from './hashed-chunks.test-support.js';
import { webCryptoSha256Hex } from './hash.js';
import type { MeshTransport, OriginClient, SwarmEvent } from './types.js';

describe('SwarmEvents', () => {
  it('hands each listener its kind only, until it unsubscribes; a throwing listener is skipped', () => {
    const events = new SwarmEvents();
    const stalls: number[] = [];
    const all: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    events.on('stall', () => {
      throw new Error('listener bug');
    });
    const off = events.on('stall', (e) => stalls.push(e.seq));
    events.onAny((e) => all.push(e.type));
    events.emit({ type: 'stall', seq: 3 });
    events.emit({ type: 'more-peers' });
    off();
    events.emit({ type: 'stall', seq: 4 });
    expect(stalls).toEqual([3]);
    expect(all).toEqual(['stall', 'more-peers', 'stall']);
    expect(error).toHaveBeenCalledTimes(2);
    error.mockRestore();
  });
});

describe('SwarmPeer events', () => {
  /** Chunks 0-3 (keyframe 0); the start answer (chunk 0) lands `answerAtMs` after it was asked, or never. */
  async function startScenario(answerAtMs: number | 'never') {
    const clock = new VirtualClock();
    const initBytes = patternBytes(200, 5);
    const init: InitMeta = { initId: 0, size: initBytes.byteLength, hash: await webCryptoSha256Hex(initBytes) };
    const chunks = await Promise.all([0, 1, 2, 3].map((seq) => hashedChunk(seq, 2000, seq === 0, 1024)));
    const { origin: plain, later } = clockedOrigin(clock, initBytes, (seq) => chunks[seq]!.bytes);
    const origin: OriginClient = {
      ...plain,
      fetchStart: (_leadMs, signal) =>
        answerAtMs === 'never'
          ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
          : later({ epoch: 'e1', initId: 0, init: initBytes, seq: 0, chunk: chunks[0]!.bytes }, answerAtMs),
    };
    const mesh: MeshTransport = { onIncoming: undefined, connect: () => Promise.reject(new Error('no peers')) };
    const { engine, out } = recordingPeer(clock, origin, mesh, { pieceBytes: 1024 });
    const seen: SwarmEvent[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    engine.events.on('start-fetch', () => {
      throw new Error('listener bug');
    });
    engine.events.on('start-fetch', (e) => seen.push(e));
    engine.events.on('start', (e) => seen.push(e));
    engine.prefetchStart();
    engine.join({ peerId: 'me', epoch: 'e1', init, neighbours: [], recentChunks: chunks.map((c) => c.meta) });
    await clock.run(4000);
    engine.stop();
    error.mockRestore();
    return { seen, out };
  }

  it('the one-request start that is used is a `start-fetch` event naming its chunk, before `start`', async () => {
    const { seen, out } = await startScenario(40);
    expect(seen.map((e) => e.type)).toEqual(['start-fetch', 'start']);
    expect(seen[0]).toEqual({ type: 'start-fetch', outcome: 'used', seq: 0 });
    expect(out.map((o) => o.seq)).toEqual([undefined, 0, 1, 2, 3]);
  });

  it('a start answer that never comes is a `too-slow` start-fetch event; the engine starts anyway', async () => {
    const { seen, out } = await startScenario('never');
    expect(seen[0]).toMatchObject({ type: 'start-fetch', outcome: 'too-slow' });
    expect(seen[1]).toMatchObject({ type: 'start', seq: 0 });
    expect(out.map((o) => o.seq)).toEqual([undefined, 0, 1, 2, 3]);
  });
});
