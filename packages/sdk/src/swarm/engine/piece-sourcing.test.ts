/**
 * Piece-level sourcing, end to end through one real engine: two neighbours each hold one half of a keyframe
 * chunk (they speak the real peer wire: `fetching` with a piece run, pieces on request), and the engine
 * must put the chunk together from both, byte for byte the origin's, without asking the origin for it. When
 * one half-holder corrupts its pieces, it is dropped and reported, its half comes from the origin (a Range
 * fetch of only those pieces), and the output stays exact.
 */
import { encodePiece, type ChunkMeta, type InitMeta, type PeerMessage, peerMessageSchema } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../sim/virtual-clock.js';
import { hashedChunk, patternBytes, recordingPeer } from './hashed-chunks.test-support.js';
import { webCryptoSha256Hex } from './hash.js';
import type { MeshLink, MeshTransport, OriginClient } from './types.js';

const PIECE = 1024;
const EPOCH = 'test-epoch-1';

const makeChunk = (seq: number, size: number, keyframe: boolean) => hashedChunk(seq, size, keyframe, PIECE);

/**
 * A neighbour speaking the peer wire from a script: it holds `holds(seq)` = a run of pieces (or all);
 * `corrupt`: it flips a byte in every piece of chunk 4 it sends.
 */
class ScriptedPeer {
  link!: MeshLink;
  readonly requests: PeerMessage[] = [];
  constructor(
    readonly id: string,
    private readonly clock: VirtualClock,
    private readonly chunks: Map<number, { meta: ChunkMeta; bytes: Uint8Array }>,
    private readonly holds: (seq: number) => { from: number; to: number } | 'all' | undefined,
    private readonly corrupt = false,
  ) {}

  /** The engine's end of the link: what it sends reaches the script 5 ms later, and vice versa. */
  open(): MeshLink {
    const clock = this.clock;
    const link: MeshLink = {
      peerId: this.id,
      bufferedAmount: 0,
      onMessage: undefined,
      onClose: undefined,
      onBufferedLow: undefined,
      send: (data) => {
        clock.setTimeout(() => this.receive(data), 5);
        clock.setTimeout(() => link.onBufferedLow?.(), 1);
      },
      close: () => {
        this.closed = true;
      },
    };
    this.link = link;
    return link;
  }

  closed = false;

  say(msg: PeerMessage): void {
    this.clock.setTimeout(() => this.link.onMessage?.(JSON.stringify(msg)), 5);
  }

  private receive(data: string | Uint8Array): void {
    if (typeof data !== 'string' || this.closed) return;
    const msg = peerMessageSchema.parse(JSON.parse(data));
    if (msg.type !== 'request') return;
    this.requests.push(msg);
    const held = this.holds(msg.seq);
    const c = this.chunks.get(msg.seq);
    if (!held || !c) return this.say({ type: 'absent', seq: msg.seq });
    const units = c.meta.pieces!.length;
    const from = msg.from ?? 0;
    const to = msg.to ?? units;
    const [hf, ht] = held === 'all' ? [0, units] : [held.from, held.to];
    if (from < hf || to > ht) return this.say({ type: 'absent', seq: msg.seq, from, to });
    let at = 5;
    for (let u = from; u < to; u++) {
      const start = u * PIECE;
      const payload = c.bytes.slice(start, Math.min(c.meta.size, start + PIECE));
      if (this.corrupt && msg.seq === 4) payload[0] = payload[0]! ^ 0xff;
      const frame = encodePiece(msg.seq, start, payload);
      this.clock.setTimeout(() => this.closed || this.link.onMessage?.(frame), (at += 2));
    }
  }
}

async function scenario(corruptSecondHalf: boolean) {
  const clock = new VirtualClock();
  const initBytes = patternBytes(200, 99);
  const init: InitMeta = { initId: 0, size: initBytes.byteLength, hash: await webCryptoSha256Hex(initBytes) };
  const chunks = new Map<number, { meta: ChunkMeta; bytes: Uint8Array }>();
  // a GOP of four chunks, then a keyframe chunk twice the average: 16 pieces
  for (const [seq, size, key] of [
    [0, 16 * PIECE, true],
    [1, 6 * PIECE, false],
    [2, 6 * PIECE, false],
    [3, 6 * PIECE, false],
    [4, 16 * PIECE, true],
  ] as const)
    chunks.set(seq, await makeChunk(seq, size, key));
  const originAsked: Array<{ seq: number; range?: readonly [number, number] }> = [];
  // answers after a few ms of virtual time (markDirty: the engine's continuation runs at that time)
  const later = <T>(value: T, ms: number) =>
    new Promise<T>((resolve) =>
      clock.setTimeout(() => {
        clock.markDirty();
        resolve(value);
      }, ms),
    );
  const origin: OriginClient = {
    fetchInit: () => later(initBytes, 20),
    fetchChunk: (meta, _signal, range) => {
      originAsked.push({ seq: meta.seq, ...(range ? { range } : {}) });
      const bytes = chunks.get(meta.seq)!.bytes;
      return later(range ? bytes.slice(range[0], range[1]) : bytes, 30);
    },
  };
  const a = new ScriptedPeer('peer-a', clock, chunks, (seq) => (seq === 4 ? { from: 0, to: 8 } : 'all'));
  const b = new ScriptedPeer(
    'peer-b',
    clock,
    chunks,
    (seq) => (seq === 4 ? { from: 8, to: 16 } : 'all'),
    corruptSecondHalf,
  );
  const scripted = new Map([
    [a.id, a],
    [b.id, b],
  ]);
  const mesh: MeshTransport = {
    onIncoming: undefined,
    connect: async (id) => scripted.get(id)!.open(),
  };
  const { engine, out, events } = recordingPeer(clock, origin, mesh, { pieceBytes: PIECE });
  // we join 2 s behind the live edge (the manifest lists chunks 0-3): chunk 4 then has time to cross the mesh
  const recentChunks = [0, 1, 2, 3].map((seq) => chunks.get(seq)!.meta);
  engine.join({ peerId: 'me', epoch: EPOCH, init, neighbours: ['peer-a', 'peer-b'], recentChunks });
  await clock.run(20);
  for (const p of [a, b]) p.say({ type: 'hello', v: 1, have: [[1, 3]], upload: true });
  await clock.run(300);
  // each neighbour says it is getting one half of the keyframe chunk, just before the origin announces it
  a.say({ type: 'fetching', seq: 4, from: 0, to: 8 });
  b.say({ type: 'fetching', seq: 4, from: 8, to: 16 });
  await clock.run(clock.now() + 10);
  engine.originEvent({ type: 'chunk', epoch: EPOCH, chunk: chunks.get(4)!.meta });
  await clock.run(clock.now() + 3000);
  const chunk4 = out.find((o) => o.seq === 4);
  engine.stop();
  return { chunks, out, chunk4, originAsked, events, a, b, stats: engine.stats() };
}

describe('piece-level sourcing', () => {
  it('puts a keyframe chunk together from two neighbours holding one half each, byte-identical, no origin fetch', async () => {
    const r = await scenario(false);
    expect(r.chunk4).toBeDefined();
    expect(Buffer.from(r.chunk4!.bytes).equals(Buffer.from(r.chunks.get(4)!.bytes))).toBe(true);
    // each half came from the neighbour that holds it, asked by piece run
    expect(r.a.requests.filter((m) => m.type === 'request' && m.seq === 4)).toEqual([
      expect.objectContaining({ from: 0, to: 8 }),
    ]);
    expect(r.b.requests.filter((m) => m.type === 'request' && m.seq === 4)).toEqual([
      expect.objectContaining({ from: 8, to: 16 }),
    ]);
    expect(r.originAsked.filter((o) => o.seq === 4)).toEqual([]);
    expect(r.events.some((e) => e.type === 'bad-peer')).toBe(false);
    // and the output is exact from the start: init, then chunks 0..4 in order
    expect(r.out.map((o) => o.seq)).toEqual([undefined, 0, 1, 2, 3, 4]);
  });

  it('drops and reports a neighbour that corrupts its half; those pieces come from the origin by Range; output exact', async () => {
    const r = await scenario(true);
    const bad = r.events.filter((e) => e.type === 'bad-peer');
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((e) => e.type === 'bad-peer' && e.peerId === 'peer-b' && e.seq === 4)).toBe(true);
    expect(r.b.closed).toBe(true);
    expect(r.chunk4).toBeDefined();
    expect(Buffer.from(r.chunk4!.bytes).equals(Buffer.from(r.chunks.get(4)!.bytes))).toBe(true);
    // the origin sent only pieces of the second half, never the whole chunk
    const asked4 = r.originAsked.filter((o) => o.seq === 4);
    expect(asked4.length).toBeGreaterThan(0);
    for (const o of asked4) {
      expect(o.range).toBeDefined();
      expect(o.range![0]).toBeGreaterThanOrEqual(8 * PIECE);
    }
    // every chunk handed out equals the origin's
    for (const o of r.out) if (o.seq !== undefined) expect(o.bytes).toEqual(r.chunks.get(o.seq)!.bytes);
  });
});
