import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256Stream } from './sha256-stream.js';

const hexOf = (parts: Uint8Array[]) => {
  const h = new Sha256Stream();
  for (const p of parts) h.update(p);
  return h.digestHex();
};

describe('Sha256Stream', () => {
  it('matches the FIPS 180-4 examples', () => {
    const enc = new TextEncoder();
    expect(hexOf([enc.encode('abc')])).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hexOf([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hexOf([enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')])).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto for any split of random data', () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 1000, 100_003]) {
      const data = new Uint8Array(randomBytes(size));
      const cuts = [0, Math.floor(size / 3), Math.floor(size / 2) + 1, size].sort((a, b) => a - b);
      const parts = cuts.slice(1).map((c, i) => data.subarray(cuts[i], c));
      expect(hexOf(parts)).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});
