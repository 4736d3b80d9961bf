/**
 * The one-request start: init + start chunk from the origin's start route, issued before the tracker's
 * `joined`. The engine starts where the answer says once it verified it against the join's init meta and
 * the manifest's chunk and piece hashes; any answer it cannot verify (corrupt, another epoch, an unknown
 * chunk, an error, no answer) is not used: it picks its own start as without the start fetch, and its
 * output is exact either way.
 */
import { type ChunkMeta, type InitMeta } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../sim/virtual-clock.js';
import { hashedChunk, patternBytes, recordingPeer } from './hashed-chunks.test-support.js';
import { webCryptoSha256Hex } from './hash.js';
import type { MeshTransport, OriginClient, OriginStart } from './types.js';

const PIECE = 1024;
const EPOCH = 'test-epoch-1';

async function makeChunk(seq: number) {
  const keyframe = seq % 4 === 0;
  return hashedChunk(seq, (keyframe ? 8 : 3) * PIECE + 100, keyframe, PIECE);
}

type Answer = (good: OriginStart) => OriginStart | 'fail' | 'silent';

/**
 * The manifest lists chunks 0-7 (keyframes 0 and 4); by its estimated ages the engine's own pick would be
 * chunk 0 (the only keyframe chunk ≥ 2 s old), while the origin's start route answers chunk 4 (it knows the
 * real announce times). The start answer lands `answerAtMs` after it was issued; the tracker's `joined`
 * 20 ms after.
 */
async function scenario(answer: Answer, answerAtMs = 40, oneRequestStart = true) {
  const clock = new VirtualClock();
  const initBytes = patternBytes(300, 99);
  const init: InitMeta = { initId: 0, size: initBytes.byteLength, hash: await webCryptoSha256Hex(initBytes) };
  const chunks = new Map<number, { meta: ChunkMeta; bytes: Uint8Array }>();
  for (let seq = 0; seq < 8; seq++) chunks.set(seq, await makeChunk(seq));
  const asked: string[] = [];
  const later = <T>(value: T, ms: number) =>
    new Promise<T>((resolve) =>
      clock.setTimeout(() => {
        clock.markDirty();
        resolve(value);
      }, ms),
    );
  const origin: OriginClient = {
    fetchInit: () => {
      asked.push('init');
      return later(initBytes, 20);
    },
    fetchChunk: (meta, _signal, range) => {
      asked.push(`chunk-${meta.seq}`);
      const bytes = chunks.get(meta.seq)!.bytes;
      return later(range ? bytes.slice(range[0], range[1]) : bytes, 30);
    },
    fetchStart: (leadMs, signal) => {
      asked.push(`start-${leadMs}`);
      const good: OriginStart = {
        epoch: EPOCH,
        initId: 0,
        init: initBytes.slice(),
        seq: 4,
        chunk: chunks.get(4)!.bytes.slice(),
        firstByteMs: answerAtMs / 2,
      };
      const a = answer(good);
      return new Promise<OriginStart>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        if (a === 'silent') return;
        clock.setTimeout(() => {
          clock.markDirty();
          if (a === 'fail') reject(new Error('HTTP 404'));
          else resolve(a);
        }, answerAtMs);
      });
    },
  };
  const mesh: MeshTransport = { onIncoming: undefined, connect: () => Promise.reject(new Error('no peers')) };
  const { engine, out, events } = recordingPeer(clock, origin, mesh, { pieceBytes: PIECE, oneRequestStart });
  engine.prefetchStart();
  clock.setTimeout(
    () =>
      engine.join({
        peerId: 'me',
        epoch: EPOCH,
        init,
        neighbours: [],
        recentChunks: [...chunks.values()].map((c) => c.meta),
      }),
    20,
  );
  await clock.run(3000);
  const stats = engine.stats();
  engine.stop();
  const startEvent = events.find((e) => e.type === 'start');
  const logs = events.flatMap((e) => (e.type === 'log' ? [e.line] : []));
  return { chunks, initBytes, out, asked, stats, startEvent, logs };
}

/** init, then consecutive chunks from `first` to 7, each byte for byte the origin's */
function expectExact(r: Awaited<ReturnType<typeof scenario>>, first: number): void {
  expect(r.out.map((o) => o.seq)).toEqual([undefined, ...Array.from({ length: 8 - first }, (_, i) => first + i)]);
  expect(Buffer.from(r.out[0]!.bytes).equals(Buffer.from(r.initBytes))).toBe(true);
  for (const o of r.out.slice(1))
    expect(Buffer.from(o.bytes).equals(Buffer.from(r.chunks.get(o.seq!)!.bytes))).toBe(true);
}

describe('one-request start', () => {
  it('starts at the chunk the start fetch brought, after it lands: no init or start-chunk fetch of its own', async () => {
    const r = await scenario((good) => good, 40);
    expectExact(r, 4);
    expect(r.asked[0]).toBe('start-2000');
    expect(r.asked).not.toContain('init');
    expect(r.asked).not.toContain('chunk-4');
    // first chunk out when the answer landed (40 ms after issuing, 20 ms after join), plus hashing
    expect(r.startEvent).toMatchObject({ type: 'start', seq: 4 });
    expect((r.startEvent as { startupMs: number }).startupMs).toBeLessThan(25);
    // counted as origin bytes and as the start's origin fetch
    const streamed = [5, 6, 7].reduce((n, s) => n + r.chunks.get(s)!.meta.size, 0);
    expect(r.stats.cdnBytes).toBe(r.initBytes.byteLength + r.chunks.get(4)!.meta.size + streamed);
    expect(r.stats.urgentFetches + r.stats.seedFetches).toBe(4);
  });

  it('uses an answer that landed before the join too', async () => {
    const r = await scenario((good) => good, 10);
    expectExact(r, 4);
    expect(r.asked).not.toContain('init');
  });

  const fallbacks: Array<[string, Answer, RegExp]> = [
    [
      'a corrupted chunk',
      (g) => {
        const chunk = g.chunk.slice();
        chunk[5000] = chunk[5000]! ^ 0x01;
        return { ...g, chunk };
      },
      /chunk 4: hash mismatch/,
    ],
    [
      'a corrupted init',
      (g) => {
        const init = g.init.slice();
        init[0] = init[0]! ^ 0x80;
        return { ...g, init };
      },
      /init 0: hash mismatch/,
    ],
    ['another epoch', (g) => ({ ...g, epoch: 'other-epoch-2' }), /epoch other-epoch-2/],
    ['an unknown chunk', (g) => ({ ...g, seq: 40 }), /unknown chunk 40/],
    ['an HTTP error', () => 'fail', /start fetch failed/],
  ];
  for (const [what, answer, why] of fallbacks) {
    it(`does not use ${what}: picks its own start, output exact`, async () => {
      const r = await scenario(answer);
      expect(
        r.logs.some((l) => why.test(l)),
        r.logs.join('\n'),
      ).toBe(true);
      // its own pick by the manifest's ages: chunk 0, with the init fetched the usual way
      expectExact(r, 0);
      expect(r.asked).toContain('init');
      expect(r.asked).toContain('chunk-0');
    });
  }

  it('with oneRequestStart off asks nothing of the start route and starts as before', async () => {
    const r = await scenario((good) => good, 40, false);
    expect(r.asked.filter((a) => a.startsWith('start'))).toEqual([]);
    expectExact(r, 0);
  });

  it('waits for no answer longer than startFetchWaitMs, then picks its own start', async () => {
    const r = await scenario(() => 'silent');
    expect(r.logs).toContain('start fetch: no answer 1500 ms after join');
    // 1.5 s later, chunk 4 is 2 s old by the manifest's ages too: its own pick
    expect((r.startEvent as { startupMs: number }).startupMs).toBeGreaterThanOrEqual(1500);
    expectExact(r, 4);
    expect(r.asked).toContain('init');
    expect(r.asked).toContain('chunk-4');
  });
});
