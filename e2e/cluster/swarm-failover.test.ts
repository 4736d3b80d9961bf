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
import { decodeErrors, probePackets, trimToWholeTags } from '@xp2p/testing';
import { start, viewerEvents, type RunningProcess } from '../helpers/processes.js';
import { startNode, useTwoNodeCluster, publishSample } from './nodes.js';

const PEER = new URL('../helpers/swarm-peer-process.mjs', import.meta.url).pathname;
const cluster = useTwoNodeCluster('xp2p-cluster-swarm-failover-');

type PeerFigures = {
  stats: { node: string; nodeMoves: number; lastMoveGapMs?: number; stalls: number; stallMs: number };
  maxDataGapMs: number;
};
const lastFigures = (p: RunningProcess): PeerFigures | undefined =>
  viewerEvents(p)
    .filter((e) => e.stats)
    .at(-1) as PeerFigures | undefined;

/** FLV tag types from the 13-byte header to the end: a second header or a cut would break the walk. */
describe('1vN failover across nodes', () => {
  it('node B dies while the origin A lives: peers on B move to A and keep playing one continuous FLV', async () => {
    const publisher = await publishSample(cluster, 'moving');
    const labels = ['p1', 'p2'];
    const peers = labels.map((label) =>
      start([
        PEER,
        JSON.stringify({
          streamUrl: `${cluster.nodeB.url}/live/moving.flv`,
          serverUrl: [cluster.nodeB.url, cluster.nodeA.url],
          appParams: cluster.appParams,
          out: join(cluster.dataDir, `${label}.flv`),
          statsEveryMs: 500,
        }),
      ]),
    );
    for (const p of peers) await p.waitForLine(/firstByteMs/, 15_000);
    await new Promise((r) => setTimeout(r, 4000));
    for (const p of peers) expect(lastFigures(p)?.stats.node).toBe(cluster.nodeB.url);

    const killedAt = Date.now();
    cluster.nodeB.proc.proc.kill('SIGKILL');
    await cluster.nodeB.proc.exited;
    const moved = await Promise.all(peers.map((p) => p.waitForLine(/swarm moved from \S+ to \S+ in (\d+) ms/, 15_000)));
    const movedAfterMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 8000)); // keep playing from A
    for (const p of peers) await p.kill();
    await publisher.kill();

    const gaps = moved.map((m) => Number(m[1]));
    const figures = peers.map((p) => lastFigures(p)!);
    console.log(
      `swarm failover: move gaps ${JSON.stringify(gaps)} ms (all moved ${movedAfterMs} ms after the kill); ` +
        `peers ${JSON.stringify(figures)}`,
    );
    for (const [i, p] of peers.entries()) {
      const label = labels[i]!;
      expect(
        viewerEvents(p).some((e) => e.notify === 'eof'),
        label,
      ).toBe(false);
      expect(figures[i]!.stats.node, label).toBe(cluster.nodeA.url);
      expect(figures[i]!.stats.nodeMoves, label).toBe(1);
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
      }),
    ]);
    await peer.waitForLine(/firstByteMs/, 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    const frozenAt = Date.now();
    nodeC.proc.proc.kill('SIGSTOP');
    try {
      await peer.waitForLine(/swarm moved from \S+ to \S+ in (\d+) ms/, 15_000);
      const movedAfterMs = Date.now() - frozenAt;
      await new Promise((r) => setTimeout(r, 5000));
      await peer.kill();
      const figures = lastFigures(peer)!;
      console.log(`frozen node: moved ${movedAfterMs} ms after SIGSTOP; ${JSON.stringify(figures)}`);
      expect(movedAfterMs).toBeLessThan(12_000);
      expect(figures.stats.node).toBe(cluster.nodeA.url);
      expect(viewerEvents(peer).some((e) => e.notify === 'eof')).toBe(false);
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

  it('the origin node dies: peers on it and on a mirror, both with node lists, get eof and no hang', async () => {
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
    await new Promise((r) => setTimeout(r, 2000));
    const killedAt = Date.now();
    cluster.nodeA.proc.proc.kill('SIGKILL');
    await cluster.nodeA.proc.exited;
    const eofAfterMs: number[] = [];
    for (const p of [onOrigin, onMirror]) {
      await p.waitForLine(/"notify":"eof"/, 15_000);
      eofAfterMs.push(Date.now() - killedAt);
    }
    const why = (p: RunningProcess) =>
      viewerEvents(p)
        .map((e) => String(e.log ?? ''))
        .filter((l) => /node|stream ended|ending here/.test(l));
    console.log(
      `origin died: eof after ${JSON.stringify(eofAfterMs)} ms (peer on the origin, peer on the mirror); ` +
        `${JSON.stringify({ onOrigin: why(onOrigin), onMirror: why(onMirror) })}`,
    );
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
