/** Chunks with the origin's whole and per-piece SHA-256, a recording engine and a clocked origin, for engine tests that drive the wire by hand. */
import { chunkPieceRanges, type ChunkMeta } from '@xp2p/protocol';
import type { VirtualClock } from '../sim/virtual-clock.js';
import type { SwarmOptions } from './defaults.js';
import { webCryptoSha256Hex } from './hash.js';
import { SwarmPeer } from './swarm-peer.js';
import type { MeshTransport, OriginClient, SwarmEvent } from './types.js';

/** `n` bytes of a pattern that differs with `salt` (each chunk its own, so a mix-up shows). */
export function patternBytes(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + salt * 7 + (i >> 8)) & 0xff;
  return out;
}

/** Chunk `seq` of `size` bytes (500 ms each, init 0) with its hash and piece hashes of `pieceBytes`. */
export async function hashedChunk(
  seq: number,
  size: number,
  keyframe: boolean,
  pieceBytes: number,
): Promise<{ meta: ChunkMeta; bytes: Uint8Array }> {
  const bytes = patternBytes(size, seq + 1);
  const pieces = await Promise.all(
    chunkPieceRanges(size, pieceBytes).map(([a, b]) => webCryptoSha256Hex(bytes.subarray(a, b))),
  );
  const meta: ChunkMeta = {
    seq,
    size,
    hash: await webCryptoSha256Hex(bytes),
    keyframe,
    timestamp: seq * 500,
    duration: 500,
    initId: 0,
    pieceBytes,
    pieces,
  };
  return { meta, bytes };
}

/**
 * An engine on a virtual clock with deterministic choices (random 0.5), uploading, whose output and events
 * are recorded for the test to read.
 */
export function recordingPeer(
  clock: VirtualClock,
  origin: OriginClient,
  mesh: MeshTransport,
  options: Partial<SwarmOptions>,
): { engine: SwarmPeer; out: Array<{ seq?: number; bytes: Uint8Array }>; events: SwarmEvent[] } {
  const out: Array<{ seq?: number; bytes: Uint8Array }> = [];
  const events: SwarmEvent[] = [];
  const engine = new SwarmPeer({
    clock,
    origin,
    mesh,
    upload: true,
    hash: (bytes) => clock.track(webCryptoSha256Hex(bytes)),
    random: () => 0.5,
    options,
    output: {
      onData: (bytes, info) => out.push({ seq: info.seq, bytes }),
      onEvent: (ev) => events.push(ev),
    },
  });
  return { engine, out, events };
}

/**
 * An origin on the virtual clock serving `initBytes` and `chunks` (by seq, whole or by Range) after a few
 * ms of virtual time (markDirty: the engine's continuation runs at that time); `later` delays any value so.
 */
export function clockedOrigin(
  clock: VirtualClock,
  initBytes: Uint8Array,
  chunkBytes: (seq: number) => Uint8Array,
): { origin: OriginClient; later: <T>(value: T, ms: number) => Promise<T> } {
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
      const bytes = chunkBytes(meta.seq);
      return later(range ? bytes.slice(range[0], range[1]) : bytes, 30);
    },
  };
  return { origin, later };
}
