/**
 * 1vN failover: a stream published on node A, two peers joined through node B with the node list [B, A].
 * Node B (a mirror, not the stream's origin) is killed mid-stream: the peers move their tracker membership
 * and chunk fetches to A and keep playing. Each output is one FLV (one header, tags to the end) that
 * decodes, whose video timestamps keep increasing without a gap a viewer would notice; their stats name
 * node A and count the move. A frozen node (SIGSTOP: no socket closes) is noticed by its silence. Then the
 * origin dies: a peer on it (list [A, C]) and a peer on the mirror C
 * (list [C, A]) both get eof: the stream is gone for everyone, and nobody hangs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlv } from '@xp2p/protocol';
import { decodeErrors, probePackets, trimToWholeTags, waitUntil } from '@xp2p/testing';
import { start, viewerEvents, type RunningProcess } from '../helpers/processes.js';
import { startNode, useTwoNodeCluster, publishSample } from './nodes.js';

const PEER = new URL('../helpers/swarm-peer-process.mjs', import.meta.url).pathname;
const cluster = useTwoNodeCluster('xp2p-cluster-swarm-failover-');

type PeerFigures = {
  stats: {
    node: string;
    nodeMoves: number;
    lastMoveGapMs?: number;
    stalls: number;
    stallMs: number;
    chunksOut: number;
    refusedRecords: number;
  };
  maxDataGapMs: number;
  /** media time output so far (the process's `api: 'events'` mode) */
  mediaMs: number;
};
const lastFigures = (p: RunningProcess): PeerFigures | undefined =>
  viewerEvents(p)
    .filter((e) => e.stats)
    .at(-1) as PeerFigures | undefined;
/** Until every peer has output at least `ms` of media. */
const untilPlayed = (peers: RunningProcess[], ms: number) =>
  waitUntil(() => peers.every((p) => (lastFigures(p)?.mediaMs ?? 0) >= ms), { timeoutMs: 30_000, intervalMs: 100 });
type NodeMoved = { type: 'node-moved'; from: string; to: string; gapMs: number };
/** The peer's first `node-moved` event (typed events of `api: 'events'`). */
const untilMoved = (p: RunningProcess): Promise<NodeMoved> =>
  waitUntil(
    () =>
      viewerEvents(p).find((e) => (e.event as { type?: string } | undefined)?.type === 'node-moved')
        ?.event as NodeMoved,
    { timeoutMs: 15_000, intervalMs: 50 },
  );

/** FLV tag types from the 13-byte header to the end: a second header or a cut would break the walk. */
describe('1vN failover across nodes', () => {
  it('node B dies while the origin A lives: peers on B move to A and keep playing one continuous FLV', async () => {
    const publisher = await publishSample(cluster, 'moving');
    // the stream's key from the URL `xp2p publish` printed: the records B relays and A sends after the move are
    // all checked against the origin's signature
    const pk = (await publisher.waitForLine(/^watch: \S+\?pk=(\S+)$/))[1]!;
    const labels = ['p1', 'p2'];
    const peers = labels.map((label) =>
      start([
        PEER,
        JSON.stringify({
          streamUrl: `${cluster.nodeB.url}/live/moving.flv?pk=${pk}`,
          serverUrl: [cluster.nodeB.url, cluster.nodeA.url],
          appParams: cluster.appParams,
          out: join(cluster.dataDir, `${label}.flv`),
          statsEveryMs: 500,
          api: 'events',
        }),
      ]),
    );
    for (const p of peers) await p.waitForLine(/firstByteMs/, 15_000);
    await untilPlayed(peers, 4000);
    for (const p of peers) expect(lastFigures(p)?.stats.node).toBe(cluster.nodeB.url);

    const killedAt = Date.now();
    cluster.nodeB.proc.proc.kill('SIGKILL');
    await cluster.nodeB.proc.exited;
    const moved = await Promise.all(peers.map(untilMoved));
    const movedAfterMs = Date.now() - killedAt;
    for (const m of moved) expect(m).toMatchObject({ from: cluster.nodeB.url, to: cluster.nodeA.url });
    // keep playing from A: 8 s more media than at the move
    const atMove = Math.max(...peers.map((p) => lastFigures(p)?.mediaMs ?? 0));
    await untilPlayed(peers, atMove + 8000);
    for (const p of peers) await p.kill();
    await publisher.kill();

    const gaps = moved.map((m) => m.gapMs);
    const figures = peers.map((p) => lastFigures(p)!);
    console.log(
      `swarm failover: move gaps ${JSON.stringify(gaps)} ms (all moved ${movedAfterMs} ms after the kill); ` +
        `peers ${JSON.stringify(figures)}`,
    );
    for (const [i, p] of peers.entries()) {
      const label = labels[i]!;
      expect(
        viewerEvents(p).some((e) => (e.event as { type?: string } | undefined)?.type === 'viewer-end'),
        label,
      ).toBe(false);
      expect(figures[i]!.stats.node, label).toBe(cluster.nodeA.url);
      expect(figures[i]!.stats.nodeMoves, label).toBe(1);
      expect(figures[i]!.stats.refusedRecords, label).toBe(0);
      const file = join(cluster.dataDir, `${label}.flv`);
      const bytes = trimToWholeTags(file);
      expect(Buffer.from(bytes.subarray(0, 3)).toString(), label).toBe('FLV');
      // one FLV header, then only whole audio/video/script tags to the end (a second header would not parse
      // as a tag of these types)
      const walk = parseFlv(new Uint8Array(readFileSync(file)));
      expect(
        walk.tags.every((t) => t.type === 8 || t.type === 9 || t.type === 18),
        label,
      ).toBe(true);
      expect(await decodeErrors(file), label).toBe('');
      const video = (await probePackets(file))
        .filter((pk) => pk.codec_type === 'video' && pk.dts_time !== undefined)
        .map((pk) => Number(pk.dts_time));
      let maxStep = 0;
      for (let k = 1; k < video.length; k++) {
        expect(video[k]!, `${label} video dts ${k}`).toBeGreaterThanOrEqual(video[k - 1]!);
        maxStep = Math.max(maxStep, video[k]! - video[k - 1]!);
      }
      // played on well past the kill: more than ~4 s of media before it and 8 s after
      expect(video.at(-1)! - video[0]!, label).toBeGreaterThan(9);
      expect(maxStep, label).toBeLessThan(3);
    }
  }, 60_000);

  it('a mirror node freezes (SIGSTOP, sockets stay open): its peer notices the silence and moves to A', async () => {
    const nodeC = await startNode(cluster.dataDir, cluster.redis.url);
    const publisher = await publishSample(cluster, 'frozen');
    const out = join(cluster.dataDir, 'frozen.flv');
    const peer = start([
      PEER,
      JSON.stringify({
        streamUrl: `${nodeC.url}/live/frozen.flv`,
        urls: [`${cluster.nodeA.url}/live/frozen.flv`], // the explicit list this time
        appParams: cluster.appParams,
        out,
        statsEveryMs: 500,
        api: 'events',
      }),
    ]);
    await peer.waitForLine(/firstByteMs/, 15_000);
    await untilPlayed([peer], 2000);
    const frozenAt = Date.now();
    nodeC.proc.proc.kill('SIGSTOP');
    try {
      const moved = await untilMoved(peer);
      const movedAfterMs = Date.now() - frozenAt;
      expect(moved).toMatchObject({ from: nodeC.url, to: cluster.nodeA.url });
      await untilPlayed([peer], (lastFigures(peer)?.mediaMs ?? 0) + 5000);
      await peer.kill();
      const figures = lastFigures(peer)!;
      console.log(`frozen node: moved ${movedAfterMs} ms after SIGSTOP; ${JSON.stringify(figures)}`);
      expect(movedAfterMs).toBeLessThan(12_000);
      expect(figures.stats.node).toBe(cluster.nodeA.url);
      expect(viewerEvents(peer).some((e) => (e.event as { type?: string } | undefined)?.type === 'viewer-end')).toBe(
        false,
      );
      trimToWholeTags(out);
      expect(await decodeErrors(out)).toBe('');
      const video = (await probePackets(out))
        .filter((pk) => pk.codec_type === 'video' && pk.dts_time !== undefined)
        .map((pk) => Number(pk.dts_time));
      for (let k = 1; k < video.length; k++) expect(video[k]!).toBeGreaterThanOrEqual(video[k - 1]!);
      expect(video.at(-1)! - video[0]!).toBeGreaterThan(7);
    } finally {
      nodeC.proc.proc.kill('SIGKILL');
      await nodeC.proc.exited;
      await publisher.kill();
    }
  }, 60_000);

  it('the origin node dies: peers on it and on a mirror, both with node lists, get an end and no hang', async () => {
    const nodeC = await startNode(cluster.dataDir, cluster.redis.url);
    const publisher = await publishSample(cluster, 'gone');
    const peerOf = (label: string, node: string, other: string) =>
      start([
        PEER,
        JSON.stringify({
          streamUrl: `${node}/live/gone.flv`,
          serverUrl: [node, other],
          appParams: cluster.appParams,
          out: join(cluster.dataDir, `${label}.flv`),
        }),
      ]);
    const onOrigin = peerOf('gone-a', cluster.nodeA.url, nodeC.url);
    const onMirror = peerOf('gone-c', nodeC.url, cluster.nodeA.url);
    for (const p of [onOrigin, onMirror]) await p.waitForLine(/firstByteMs/, 15_000);
    // the guide's API (no media time): a few chunks out on both
    await waitUntil(() => [onOrigin, onMirror].every((p) => (lastFigures(p)?.stats.chunksOut ?? 0) >= 4), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const killedAt = Date.now();
    cluster.nodeA.proc.proc.kill('SIGKILL');
    await cluster.nodeA.proc.exited;
    const eofAfterMs: number[] = [];
    const ends: string[] = [];
    for (const p of [onOrigin, onMirror]) {
      // the guide's end of a 1vN service: eof when the publish ended, disconnect when no node serving it is left
      ends.push((await p.waitForLine(/"notify":"(eof|disconnect)"/, 15_000))[1]!);
      eofAfterMs.push(Date.now() - killedAt);
    }
    const why = (p: RunningProcess) =>
      viewerEvents(p)
        .map((e) => String(e.log ?? ''))
        .filter((l) => /node|stream ended|ending here/.test(l));
    console.log(
      `origin died: ${JSON.stringify(ends)} after ${JSON.stringify(eofAfterMs)} ms (peer on the origin, peer on the mirror); ` +
        `${JSON.stringify({ onOrigin: why(onOrigin), onMirror: why(onMirror) })}`,
    );
    // each ends (eof: the publish ended where it was; disconnect: no node of its list was left), none hangs
    expect(ends).toHaveLength(2);
    for (const label of ['gone-a', 'gone-c']) {
      const file = join(cluster.dataDir, `${label}.flv`);
      expect(trimToWholeTags(file).byteLength, label).toBeGreaterThan(50_000);
      expect(await decodeErrors(file), label).toBe('');
    }
    expect(nodeC.proc.proc.exitCode).toBeNull();
    await onOrigin.kill();
    await onMirror.kill();
    await publisher.kill();
  }, 60_000);
});
