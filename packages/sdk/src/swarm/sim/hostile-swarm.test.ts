/**
 * Hostile swarms in the simulator (issue 13): attackers run the real engine and attack through the network,
 * their announcements or the tracker. Honest viewers keep playing exact bytes, and the tracker evicts no
 * honest peer, where the old rule (two reports from anyone) let false reporters evict them.
 */
import { describe, expect, it } from 'vitest';
import { runSwarmSimulation, type SwarmSimResult } from './run-simulation.js';

/** Every honest output is init + consecutive chunks, byte for byte the origin's. */
function expectHonestExact(r: SwarmSimResult): void {
  for (const p of r.perPeer.filter((x) => !x.attack)) {
    expect(p.outputs![0]).toEqual(r.origin.init!.bytes);
    p.seqs.forEach((seq, i) => expect(p.outputs![i + 1]).toEqual(r.origin.chunks.get(seq)!.bytes));
    expect(p.chunksOut).toBeGreaterThan(40);
  }
}

const hostile = (attackKind: 'poison' | 'withhold' | 'lie' | 'false-report', extra = {}) =>
  runSwarmSimulation({ peers: 20, seconds: 30, attackers: 6, attackKind, keepOutputs: true, ...extra });

describe('30% attackers', () => {
  it('false reporters evict no honest peer; under the old rule (2 reports) they evicted several', async () => {
    const r = await hostile('false-report');
    expect(r.badPeerReports).toBeGreaterThan(30);
    expect(r.honestEvicted).toBe(0);
    expectHonestExact(r);
    const old = await hostile('false-report', {
      trackerQuorum: { minQuorum: 2, quorumShare: 0, reportsPerWindow: 1e9 },
    });
    expect(old.honestEvicted).toBeGreaterThan(2);
  });

  it('withholders are dropped after a few silent requests: honest viewers play on time', async () => {
    const r = await hostile('withhold');
    expect(r.continuity).toBeGreaterThanOrEqual(0.999);
    expectHonestExact(r);
  });

  it('liars (have for everything) and poisoners cost offload, not continuity or a wrong byte', async () => {
    for (const kind of ['lie', 'poison'] as const) {
      const r = await hostile(kind);
      expect(r.continuity, kind).toBeGreaterThanOrEqual(0.999);
      expect(r.honestEvicted, kind).toBe(0);
      expectHonestExact(r);
    }
  });
});
