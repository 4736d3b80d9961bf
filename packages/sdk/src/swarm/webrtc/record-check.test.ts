import {
  ED25519_PKCS8_PREFIX,
  recordSignedBytes,
  streamPublicKey,
  streamSigningSeed,
  type ChunkMeta,
  type OriginEvent,
  type SignedRecord,
} from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { RecordCheck } from './record-check.js';

const PUBLISH_KEY = 'publish-key-of-the-test-stream';

/** Signs as the origin does (server/src/origin/stream-signer.ts), here through WebCrypto. */
async function originSigner(stream: string): Promise<(epoch: string, record: SignedRecord) => Promise<string>> {
  const seed = await streamSigningSeed(PUBLISH_KEY, stream);
  const key = await crypto.subtle.importKey(
    'pkcs8',
    new Uint8Array([...ED25519_PKCS8_PREFIX, ...seed]),
    'Ed25519',
    false,
    ['sign'],
  );
  return async (epoch, record) =>
    Buffer.from(
      await crypto.subtle.sign('Ed25519', key, recordSignedBytes(stream, epoch, record) as BufferSource),
    ).toString('base64url');
}

const chunk = (seq: number): ChunkMeta => ({
  seq,
  size: 1000,
  hash: seq.toString(16).padStart(64, '0'),
  keyframe: seq % 4 === 0,
  timestamp: seq * 500,
  duration: 500,
  initId: 0,
  pieceBytes: 16384,
  pieces: [seq.toString(16).padStart(64, 'a')],
});

async function signedChunk(stream: string, epoch: string, seq: number): Promise<ChunkMeta> {
  const c = chunk(seq);
  return { ...c, sig: await (await originSigner(stream))(epoch, { chunk: c }) };
}

/** Feeds events through a check and collects what reaches the engine, in order. */
async function passed(check: RecordCheck, events: OriginEvent[]): Promise<OriginEvent[]> {
  const out: OriginEvent[] = [];
  for (const ev of events) check.event(ev, (e) => out.push(e));
  await new Promise<void>((resolve) => check.event({ type: 'eof', epoch: 'end', lastSeq: 0 }, () => resolve()));
  return out;
}

describe("a peer's check of the origin's record signatures", () => {
  it('passes signed records in order and drops a rewritten hash or an unsigned record, counting them', async () => {
    const pk = await streamPublicKey(PUBLISH_KEY, 'room');
    const refused: string[] = [];
    const check = await RecordCheck.create('room', pk);
    check.onRefused = (what) => refused.push(what);
    const [c0, c1, c2, c3] = await Promise.all([0, 1, 2, 3].map((seq) => signedChunk('room', 'epoch-1', seq)));
    // a hostile node or path swaps chunk 1's hash (its bytes to match would then pass the hash check) and
    // strips chunk 2's signature
    const poisoned = { ...c1!, hash: 'f'.repeat(64), pieces: ['e'.repeat(64)] };
    const { sig: _, ...unsigned } = c2!;
    const events: OriginEvent[] = [c0!, poisoned, unsigned, c3!].map((c) => ({
      type: 'chunk',
      epoch: 'epoch-1',
      chunk: c,
    }));
    const out = await passed(check, [...events, { type: 'eof', epoch: 'epoch-1', lastSeq: 3 }]);
    expect(out.map((e) => (e.type === 'chunk' ? e.chunk.seq : e.type))).toEqual([0, 3, 'eof']);
    expect(refused).toEqual(['chunk 1', 'chunk 2']);
    expect(check.refused).toBe(2);
  });

  it('refuses a record signed for stream A replayed into stream B, or into another publish of A', async () => {
    const a = await signedChunk('a', 'epoch-1', 7);
    // B's viewer holds B's key; even a viewer of A's key refuses A's record replayed as B's (the name is signed)
    const checkB = await RecordCheck.create('b', await streamPublicKey(PUBLISH_KEY, 'b'));
    expect(await checkB.signed('epoch-1', { chunk: a })).toBe(false);
    const sameKeyAsA = await RecordCheck.create('b', await streamPublicKey(PUBLISH_KEY, 'a'));
    expect(await sameKeyAsA.signed('epoch-1', { chunk: a })).toBe(false);
    const checkA = await RecordCheck.create('a', await streamPublicKey(PUBLISH_KEY, 'a'));
    expect(await checkA.signed('epoch-1', { chunk: a })).toBe(true);
    expect(await checkA.signed('epoch-2', { chunk: a })).toBe(false);
    // the manifest's list: only the signed ones, in order
    expect((await checkA.chunks('epoch-1', [a, chunk(8), a])).map((c) => c.seq)).toEqual([7, 7]);
  });

  it('without a key passes records as they come; a malformed key is refused at once', async () => {
    const open = await RecordCheck.create('room', undefined);
    expect(await open.signed('e', { chunk: chunk(1) })).toBe(true);
    await expect(RecordCheck.create('room', 'not-a-key')).rejects.toThrow(/not a stream key/);
  });
});
