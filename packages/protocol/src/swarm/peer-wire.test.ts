import { describe, expect, it } from 'vitest';
import { CHUNK_MAX_PIECES } from './chunk-meta.js';
import { peerMessageSchema } from './peer-wire.js';

describe('peer wire piece runs', () => {
  it('takes an optional piece run on request/fetching/have/absent; without one it means the whole chunk', () => {
    for (const type of ['request', 'fetching', 'have', 'absent'] as const) {
      expect(peerMessageSchema.parse({ type, seq: 4, from: 0, to: 8 })).toMatchObject({ from: 0, to: 8 });
      expect(peerMessageSchema.parse({ type, seq: 4 })).not.toHaveProperty('from');
    }
  });

  it('refuses piece indexes that are not small non-negative integers', () => {
    for (const bad of [
      { from: -1, to: 2 },
      { from: 0, to: CHUNK_MAX_PIECES + 1 },
      { from: 0.5, to: 2 },
      { from: '0', to: 2 },
    ])
      expect(peerMessageSchema.safeParse({ type: 'request', seq: 1, ...bad }).success).toBe(false);
  });
});
