import { describe, expect, it } from 'vitest';
import { runSwarmSimulation, type SimPeerResult, type SwarmSimResult } from './run-simulation.js';

/** Every output is init + consecutive chunks from a keyframe chunk, byte for byte the origin's. */
function expectExactOutputs(r: SwarmSimResult, peers: SimPeerResult[]): void {
  const init = r.origin.init!.bytes;
  for (const p of peers) {
    const out = p.outputs!;
    expect(out.length).toBeGreaterThan(1);
    expect(out[0]).toEqual(init);
    expect(p.startKeyframe).toBe(true);
    const first = p.seqs[0]!;
    p.seqs.forEach((seq, i) => {
      expect(seq).toBe(first + i);
      expect(out[i + 1]).toEqual(r.origin.chunks.get(seq)!.bytes);
    });
  }
}

describe('swarm engine in the simulator', () => {
  it('delivers init + chunks exactly, in order, from a keyframe, mostly over the mesh', async () => {
    const r = await runSwarmSimulation({ peers: 8, seconds: 20, keepOutputs: true, payloadScale: 16 });
    expectExactOutputs(r, r.perPeer);
    for (const p of r.perPeer) expect(p.chunksOut).toBeGreaterThan(30);
    expect(r.offload).toBeGreaterThan(0.4);
    expect(r.continuity).toBeGreaterThan(0.97);
  });

  it('measures added lag against an HTTP-FLV viewer on the same link (GOP-cache start, its own network time)', async () => {
    const r = await runSwarmSimulation({ peers: 8, seconds: 20 });
    for (const p of r.perPeer) {
      // the baseline starts at the newest keyframe chunk: behind by less than a GOP (2 s) plus its fetch,
      // and never ahead of the round trip to the origin
      expect(p.baselineLagMs!).toBeGreaterThan(50);
      expect(p.baselineLagMs!).toBeLessThan(2000 + 1000);
      expect(p.addedLagMs!).toBeCloseTo(p.lagMs! - p.baselineLagMs!, 6);
    }
  });

  it("with the one-request start sent at join, startup is the baseline's and the added lag one GOP, no more", async () => {
    const withStart = await runSwarmSimulation({ peers: 8, seconds: 20, keepOutputs: true });
    const without = await runSwarmSimulation({ peers: 8, seconds: 20, engine: { oneRequestStart: false } });
    expectExactOutputs(withStart, withStart.perPeer);
    for (const p of withStart.perPeer) {
      // one GOP (2 s, the start lead) plus at most the hashing and a busier downlink than the idle baseline's
      expect(p.addedLagMs!).toBeGreaterThanOrEqual(2000 - 1);
      expect(p.addedLagMs!).toBeLessThan(2000 + 20);
    }
    // without it the tracker round trip comes first: startup and added lag are that much longer
    expect(without.addedLagMs.p50).toBeGreaterThan(withStart.addedLagMs.p50 + 15);
    expect(without.startupMs.p50).toBeGreaterThan(withStart.startupMs.p50 + 15);
  });

  it('with a long GOP (4 s) the added lag stays within the start lead: the fresher keyframe is held, not a GOP earlier', async () => {
    const r = await runSwarmSimulation({
      peers: 12,
      seconds: 30,
      keyframeEveryMs: 4000,
      joinSpreadMs: 8000, // joins at every point of a GOP
      keepOutputs: true,
    });
    expectExactOutputs(r, r.perPeer);
    for (const p of r.perPeer) {
      expect(p.startKeyframe).toBe(true);
      expect(p.addedLagMs!).toBeLessThan(2000 + 20); // never a whole GOP (4 s)
    }
    expect(r.continuity).toBeGreaterThanOrEqual(0.999);
    // the hold is what gives later chunks their lead: some first frames waited for it
    expect(r.startupMs.p95).toBeGreaterThan(500);
  });

  it('drops, reports and routes around a peer that corrupts what it forwards', async () => {
    const r = await runSwarmSimulation({
      peers: 10,
      seconds: 20,
      corruptPeers: 2,
      keepOutputs: true,
      nonUploadingShare: 0,
    });
    expect(r.badPeerReports).toBeGreaterThan(0);
    // every corrupt peer that sent anything was reported, and no honest peer was
    const corrupt = r.perPeer.filter((p) => p.corrupt);
    for (const p of corrupt) if (p.bulkBytesSent > 0) expect(r.reportedPeers).toContain(p.id);
    expect(r.reportedPeers.every((id) => corrupt.some((p) => p.id === id))).toBe(true);
    const honest = r.perPeer.filter((p) => !p.corrupt);
    // nobody outputs a corrupted byte: every output equals the origin's bytes
    expectExactOutputs(r, honest);
    for (const p of honest) expect(p.chunksOut).toBeGreaterThan(30);
  });

  it('without piece hashes (whole-chunk checks only) outputs stay exact and a corrupting peer is caught', async () => {
    const r = await runSwarmSimulation({
      peers: 10,
      seconds: 20,
      corruptPeers: 1,
      keepOutputs: true,
      nonUploadingShare: 0,
      pieceHashes: false,
    });
    const corrupt = r.perPeer.filter((p) => p.corrupt);
    for (const p of corrupt) if (p.bulkBytesSent > 0) expect(r.reportedPeers).toContain(p.id);
    expect(r.reportedPeers.every((id) => corrupt.some((p) => p.id === id))).toBe(true);
    const honest = r.perPeer.filter((p) => !p.corrupt);
    expectExactOutputs(r, honest);
    for (const p of honest) expect(p.chunksOut).toBeGreaterThan(30);
    expect(r.offload).toBeGreaterThan(0.4);
  });

  it('survives peers leaving mid-stream; a late joiner starts at a keyframe within 2 s', async () => {
    const r = await runSwarmSimulation({
      peers: 12,
      seconds: 30,
      leaveShare: 0.4,
      lateJoiners: 1,
      lateJoinAtMs: 15_000,
      keepOutputs: true,
    });
    expect(r.perPeer.some((p) => p.leftAt !== undefined)).toBe(true);
    const stayed = r.perPeer.filter((p) => p.leftAt === undefined);
    expectExactOutputs(r, stayed);
    const late = r.perPeer.find((p) => p.late)!;
    expect(late.startKeyframe).toBe(true);
    expect(late.startupMs!).toBeLessThan(2000);
    expect(late.chunksOut).toBeGreaterThan(20);
    expect(r.continuity).toBeGreaterThan(0.97);
  });

  it('ends every peer after the last chunk on eof', async () => {
    const r = await runSwarmSimulation({ peers: 8, seconds: 20, eofAtMs: 12_000, keepOutputs: true });
    const last = r.origin.lastSeq;
    for (const p of r.perPeer) {
      expect(p.ended).toBe(true);
      expect(p.seqs[p.seqs.length - 1]).toBe(last);
    }
    expectExactOutputs(r, r.perPeer);
  });

  it('non-uploading peers never upload, and still download from the mesh', async () => {
    const r = await runSwarmSimulation({ peers: 12, seconds: 20, nonUploadingShare: 0.4 });
    const mobile = r.perPeer.filter((p) => !p.upload);
    expect(mobile.length).toBeGreaterThan(0);
    for (const p of mobile) {
      expect(p.uploadBytes).toBe(0);
      expect(p.bulkBytesSent).toBe(0);
      expect(p.chunksOut).toBeGreaterThan(20);
    }
  });

  it('offload rises with N', async () => {
    const small = await runSwarmSimulation({ peers: 3, seconds: 30 });
    const large = await runSwarmSimulation({ peers: 30, seconds: 30 });
    expect(large.offload).toBeGreaterThan(small.offload);
    expect(large.limit).toBeGreaterThan(small.limit);
  });

  it('N = 50 with realistic bandwidth: report the figures', async () => {
    const r = await runSwarmSimulation({ peers: 50, seconds: 60 });
    const { perPeer: _p, origin: _o, ...figures } = r;
    console.log('swarm N=50', JSON.stringify(figures));
    // the goals are offload ≥ 0.96, continuity ≥ 0.999, added lag ≤ 2 s; see the report for where we are
    // measured 0.93-0.94 and 0.999-1 here (seeds 1-3); these bounds catch a real regression
    expect(r.offload).toBeGreaterThan(0.85);
    expect(r.continuity).toBeGreaterThan(0.99);
    expect(r.startupMs.p95).toBeLessThan(1000);
  });
});
