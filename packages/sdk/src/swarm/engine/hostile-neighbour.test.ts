/**
 * A hostile neighbour floods us with announcements of chunks that do not exist, far ahead of the live
 * edge (`hello` ranges, `have`, `fetching` with piece runs, `absent`): what we keep about it stays within
 * our window (issue 13), and the stream still plays, byte for byte the origin's.
 */
import type { InitMeta, PeerMessage } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../sim/virtual-clock.js';
import { clockedOrigin, hashedChunk, patternBytes, recordingPeer } from './hashed-chunks.test-support.js';
import { webCryptoSha256Hex } from './hash.js';
import type { MeshLink, MeshTransport } from './types.js';

describe('a neighbour announcing chunks far ahead', () => {
  it('cannot grow what we keep about it beyond the window; the output stays exact', async () => {
    const clock = new VirtualClock();
    const initBytes = patternBytes(200, 3);
    const init: InitMeta = { initId: 0, size: initBytes.byteLength, hash: await webCryptoSha256Hex(initBytes) };
    const chunks = await Promise.all([0, 1, 2, 3, 4, 5].map((seq) => hashedChunk(seq, 3000, seq % 4 === 0, 1024)));
    const { origin } = clockedOrigin(clock, initBytes, (seq) => chunks[seq]!.bytes);
    const link: MeshLink = {
      peerId: 'hostile',
      bufferedAmount: 0,
      onMessage: undefined,
      onClose: undefined,
      onBufferedLow: undefined,
      send: () => {},
      close: () => {},
    };
    const mesh: MeshTransport = { onIncoming: undefined, connect: () => Promise.reject(new Error('no peers')) };
    const { engine, out } = recordingPeer(clock, origin, mesh, { pieceBytes: 1024 });
    engine.join({
      peerId: 'me',
      epoch: 'e1',
      init,
      neighbours: [],
      recentChunks: chunks.slice(0, 2).map((c) => c.meta),
    });
    mesh.onIncoming!(link);
    const say = (msg: PeerMessage) => link.onMessage!(JSON.stringify(msg));
    say({ type: 'hello', v: 1, upload: true, have: [[1_000_000, 2_000_000]] });
    for (let i = 0; i < 20_000; i++) {
      const seq = 1_000_000 + i * 7;
      say({ type: 'have', seq });
      say({ type: 'fetching', seq: seq + 1, from: 0, to: 2 });
      say({ type: 'absent', seq: seq + 2 });
    }
    // at most the window (keepBehindChunks + maxAheadChunks) per kind of entry, not 60,000: at once, and later
    const bound = 4 * (24 + 64 + 6);
    expect(engine.stats().neighbourState).toBeLessThanOrEqual(bound);
    // the stream goes on: chunks 2-5 announced live
    for (const c of chunks.slice(2)) {
      clock.setTimeout(() => engine.originEvent({ type: 'chunk', epoch: 'e1', chunk: c.meta }), 500 * (c.meta.seq - 1));
    }
    await clock.run(5000);
    const stats = engine.stats();
    engine.stop();
    expect(stats.neighbourState).toBeLessThanOrEqual(bound);
    const seqs = out.flatMap((o) => (o.seq === undefined ? [] : [o.seq]));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5]);
    for (const o of out.slice(1)) expect(o.bytes).toEqual(chunks[o.seq!]!.bytes);
  });
});
