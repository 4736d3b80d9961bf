/**
 * What the origin's record signatures cost (protocol/src/swarm/record-signature.ts): the origin signs each
 * chunk record once (node:crypto, synchronously), a peer verifies each record once (WebCrypto, as in browsers).
 * Run after a build: `node packages/server/dist/bench/record-signing.js`. Prints the median and p95 per chunk
 * record for chunks of 1, 8 and 256 hashed pieces (16 KiB pieces: a 0.5 s chunk at 2 Mbit/s has 8).
 */
import { createHash, randomBytes } from 'node:crypto';
import { streamPublicKey, streamRecordVerifier, type ChunkMeta } from '@xp2p/protocol';
import { publishKeyFor } from '../origin/publish-key.js';
import { streamSigner } from '../origin/stream-signer.js';

const RUNS = 2000;
const hex = () => createHash('sha256').update(randomBytes(16)).digest('hex');

function chunkOf(seq: number, pieces: number): ChunkMeta {
  return {
    seq,
    size: pieces * 16384,
    hash: hex(),
    keyframe: seq % 4 === 0,
    timestamp: seq * 500,
    duration: 500,
    initId: 0,
    pieceBytes: 16384,
    pieces: Array.from({ length: pieces }, hex),
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const micros = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

async function main(): Promise<void> {
  const publishKey = publishKeyFor(randomBytes(24).toString('base64url'), 'bench');
  const signer = streamSigner(publishKey, 'bench');
  const verify = await streamRecordVerifier(await streamPublicKey(publishKey, 'bench'));
  for (const pieces of [1, 8, 256]) {
    const chunks = Array.from({ length: RUNS }, (_, i) => chunkOf(i, pieces));
    const signMs: number[] = [];
    for (const chunk of chunks) {
      const t = performance.now();
      chunk.sig = signer.sign('bench', 'epoch-bench', { chunk });
      signMs.push(performance.now() - t);
    }
    const verifyMs: number[] = [];
    for (const chunk of chunks) {
      const t = performance.now();
      if (!(await verify('bench', 'epoch-bench', { chunk }))) throw new Error('a record failed its signature');
      verifyMs.push(performance.now() - t);
    }
    signMs.sort((a, b) => a - b);
    verifyMs.sort((a, b) => a - b);
    console.log(
      `${String(pieces).padStart(3)} pieces: origin sign p50 ${micros(quantile(signMs, 0.5))} p95 ${micros(quantile(signMs, 0.95))}; ` +
        `peer verify p50 ${micros(quantile(verifyMs, 0.5))} p95 ${micros(quantile(verifyMs, 0.95))} (per chunk record, ${RUNS} runs)`,
    );
  }
}

await main();
