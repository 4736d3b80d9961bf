/**
 * 1vN across two server nodes on one Redis: a stream published on node A is watched by one peer on A and
 * two peers on B. Node B mirrors the stream (each chunk fetched once from A) and its tracker introduces
 * its peers to A's: the peer on A can only get P2P bytes from peers on B, so its P2P bytes prove that
 * chunks crossed nodes. Every output decodes; the stats on either node sum both nodes' swarms; HTTP-FLV
 * on node B serves the mirrored stream.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamPublishKey } from '@xp2p/protocol';
import { decodeErrors, trimToWholeTags, waitUntil } from '@xp2p/testing';
import { start, viewerEvents, type RunningProcess } from '../helpers/processes.js';
import { metricsOf, type ServerNode, useTwoNodeCluster, publishSample } from './nodes.js';

const PEER = new URL('../helpers/swarm-peer-process.mjs', import.meta.url).pathname;
const cluster = useTwoNodeCluster('xp2p-cluster-swarm-');

type PeerStats = { p2pBytes: number; cdnBytes: number; uploadBytes: number; stalls: number };
const lastStats = (p: RunningProcess): PeerStats | undefined =>
  viewerEvents(p)
    .filter((e) => e.stats)
    .at(-1)?.stats as PeerStats | undefined;

const startPeer = (node: ServerNode, label: string): RunningProcess =>
  start([
    PEER,
    JSON.stringify({
      streamUrl: `${node.url}/live/room.flv`,
      appParams: cluster.appParams,
      out: join(cluster.dataDir, `${label}.flv`),
    }),
  ]);

describe('1vN across nodes', () => {
  it('peers joined on node A and node B share chunks; outputs decode; stats sum both nodes', async () => {
    const publisher = await publishSample(cluster, 'room');
    // Node B lists the stream before anyone asked it for the stream (the rooms list of the web app).
    const listed = (await (await fetch(`${cluster.nodeB.url}/api/streams`)).json()) as {
      streams: { stream: string; live: boolean }[];
    };
    expect(listed.streams.find((s) => s.stream === 'room')?.live).toBe(true);

    const peers: [string, RunningProcess][] = [];
    for (const [label, node] of [
      ['a1', cluster.nodeA],
      ['b1', cluster.nodeB],
      ['b2', cluster.nodeB],
    ] as const) {
      const peer = startPeer(node, label);
      peers.push([label, peer]);
      await peer.waitForLine(/"result":0/, 20_000); // in the swarm before the next one joins
    }

    // A second publisher of the name on the other node is refused, as on one node.
    const { publishKey } = JSON.parse(readFileSync(join(cluster.dataDir, 'config.json'), 'utf8')) as {
      publishKey: string;
    };
    const roomKey = await streamPublishKey(publishKey, 'room');
    const second = await fetch(`${cluster.nodeB.url}/live/room?key=${encodeURIComponent(roomKey)}`, {
      method: 'POST',
      body: new Uint8Array(0),
    });
    expect(second.status).toBe(409);
    expect(JSON.stringify(await second.json())).toMatch(/already being published/);

    // HTTP-FLV from node B: served from its mirror.
    const flv = join(cluster.dataDir, 'http-flv-b.flv');
    const res = await fetch(`${cluster.nodeB.url}/live/room.flv`, { signal: AbortSignal.timeout(3_000) });
    expect(res.status).toBe(200);
    const parts: Uint8Array[] = [];
    try {
      for await (const part of res.body!) parts.push(part as Uint8Array);
    } catch {
      /* the 3 s cut */
    }
    writeFileSync(flv, Buffer.concat(parts));
    expect(trimToWholeTags(flv).byteLength).toBeGreaterThan(50_000);
    expect(await decodeErrors(flv)).toBe('');

    // the swarm runs until chunks crossed the nodes both ways, both nodes count them, and every peer wrote
    // enough to judge
    const output = (label: string): string => join(cluster.dataDir, `${label}.flv`);
    const stats = (label: string): PeerStats | undefined => lastStats(peers.find(([l]) => l === label)![1]);
    const streamStats = async (node: ServerNode): Promise<Record<string, number>> =>
      (await (await fetch(`${node.url}/api/streams/room/stats`)).json()) as Record<string, number>;
    let statsA: Record<string, number> = {};
    let statsB: Record<string, number> = {};
    await waitUntil(
      async () => {
        [statsA, statsB] = await Promise.all([streamStats(cluster.nodeA), streamStats(cluster.nodeB)]);
        return (
          (stats('a1')?.p2pBytes ?? 0) > 0 &&
          (stats('b1')?.p2pBytes ?? 0) + (stats('b2')?.p2pBytes ?? 0) > 0 &&
          peers.every(([label]) => statSync(output(label)).size > 150_000) &&
          [statsA, statsB].every((n) => n.peers === 3 && (n.p2pBytes ?? 0) > 0)
        );
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: () => `P2P bytes across the nodes and 150 KB at every peer: ${JSON.stringify({ statsA, statsB })}`,
      },
    );
    for (const [, p] of peers) await p.kill();

    const figures = Object.fromEntries(peers.map(([label, p]) => [label, lastStats(p)!]));
    console.log(`cluster swarm: ${JSON.stringify(figures)}`);
    // The only P2P source of the peer on A is the peers on B, and vice versa for what B's peers got from it.
    expect(figures.a1!.p2pBytes).toBeGreaterThan(0);
    expect(figures.b1!.p2pBytes + figures.b2!.p2pBytes).toBeGreaterThan(0);
    for (const [label] of peers) {
      const out = output(label);
      expect(trimToWholeTags(out).byteLength, label).toBeGreaterThan(100_000);
      expect(await decodeErrors(out), label).toBe('');
    }
    // Both nodes answer the same swarm: three peers, P2P bytes from either side.
    for (const stats of [statsA, statsB]) {
      expect(stats.peers).toBe(3);
      expect(stats.p2pBytes).toBeGreaterThan(0);
    }
    // Node B copied the stream from A (once, not per viewer): fewer bytes than its viewers received.
    const fetched = (await metricsOf(cluster.nodeB.url)).get('xp2p_cluster_fetched_bytes_total') ?? 0;
    const receivedOnB = trimToWholeTags(join(cluster.dataDir, 'b1.flv')).byteLength;
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThan(1.5 * receivedOnB + 2 * 1024 * 1024);
    await publisher.kill();
  }, 120_000);

  it('the origin node dies: peers on the other node get eof, and that node keeps serving and stays ready', async () => {
    const publisher = await publishSample(cluster, 'ending');
    const peer = start([
      PEER,
      JSON.stringify({
        streamUrl: `${cluster.nodeB.url}/live/ending.flv`,
        appParams: cluster.appParams,
        out: join(cluster.dataDir, 'ending-b.flv'),
      }),
    ]);
    await peer.waitForLine(/firstByteMs/, 15_000);
    await new Promise((r) => setTimeout(r, 2000)); // the scenario: the node dies while the peer plays
    cluster.nodeA.proc.proc.kill('SIGKILL');
    await cluster.nodeA.proc.exited;
    await peer.waitForLine(/"notify":"eof"/, 15_000);
    expect(await decodeErrors(join(cluster.dataDir, 'ending-b.flv'))).toBe('');
    expect(cluster.nodeB.proc.proc.exitCode).toBeNull();
    expect((await fetch(`${cluster.nodeB.url}/readyz`)).status).toBe(200);
    // Its stale registration (until the TTL) points at a dead node: B answers at once that it is not live.
    const manifest = await fetch(`${cluster.nodeB.url}/live/ending/manifest.json`, {
      signal: AbortSignal.timeout(8_000),
    });
    if (manifest.status === 200) expect(((await manifest.json()) as { live: boolean }).live).toBe(false);
    else expect(manifest.status).toBe(404);
    const flv = await fetch(`${cluster.nodeB.url}/live/ending.flv`, { signal: AbortSignal.timeout(8_000) });
    expect(flv.status).toBe(404);
    await peer.kill();
    await publisher.kill();
  }, 60_000);
});
