/**
 * Who pulls a new chunk from the origin. Every peer ranks itself for chunk `seq` by a hash of (peer id,
 * seq) against every uploading peer it knows. The peer with the lowest hash of the whole swarm sees
 * itself as rank 0 whatever it knows, so at least one peer seeds at once; a peer that knows few others may
 * wrongly think it is rank 0, so the number of seeders is about Σ 1/(known_i + 1): ~1 when peers know
 * the whole swarm (small N), ~N/65 when the tracker hands out 64 (large N, where more seeders also
 * shorten the mesh's depth). To start a chunk from k seeds, ranks 0..k-1 fetch (each peer that knows the
 * swarm agrees on the same k). The choice changes with every chunk, so seeding load is spread evenly.
 */

/** FNV-1a over the id's UTF-16 code units: stable and cheap; not a security boundary. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's finaliser over (id hash, seq): a per-chunk pseudo-random order of peers. */
export function seedScore(peerIdHash: number, seq: number): number {
  let h = (peerIdHash ^ Math.imul(seq + 1, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** How many of `others` score below us for this chunk (0 = we seed at once). */
export function seedRank(selfHash: number, others: Iterable<number>, seq: number): number {
  const mine = seedScore(selfHash, seq);
  let rank = 0;
  for (const h of others) if (seedScore(h, seq) < mine) rank++;
  return rank;
}
