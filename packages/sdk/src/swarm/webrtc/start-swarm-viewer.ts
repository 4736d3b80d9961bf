/**
 * A 1vN viewer on a real network: joins the tracker for the stream, reads the origin's manifest, and runs
 * the swarm engine over WebRTC data channels and the origin's HTTP chunk URLs. Output: the stream's bytes
 * (FLV header + metadata + sequence headers, then FLV tags from a keyframe), each chunk verified.
 *
 * Cluster failover: given several nodes (stream-nodes.ts), the viewer keeps one engine and moves only its
 * node. When the node's tracker socket drops or its HTTP cannot be reached, it joins the next node; a node
 * in the same publish epoch numbers the chunks the same way (mirrors keep the origin's numbers), so the
 * engine keeps its place and the output continues without a second FLV header. Links to neighbours are
 * direct and survive the move. The stream has ended (eof) when every node failed in a row, a node answers
 * that it is not live, or a node serves another epoch (the stream was published again).
 */
import type { ChunkMeta } from '@xp2p/protocol';
import { NodeFailover, within } from './node-failover.js';
import type { NodeSession } from './node-session.js';
import { RecordCheck } from './record-check.js';
import { parseStreamUrl } from './stream-nodes.js';
import { ViewerRun } from './viewer-run.js';
import type { SwarmViewer, SwarmViewerOptions } from './viewer-types.js';

export { parseStreamUrl } from './stream-nodes.js';
export { realClock } from './viewer-run.js';
export type { SwarmViewer, SwarmViewerEvent, SwarmViewerOptions, SwarmViewerStats } from './viewer-types.js';

export async function startSwarmViewer(o: SwarmViewerOptions): Promise<SwarmViewer> {
  const { base, stream, publicKey } = parseStreamUrl(o.streamUrl);
  const run = new ViewerRun(o, base, stream, await RecordCheck.create(stream, publicKey));
  const check = run.check;
  const failover = new NodeFailover(run);
  const { nodes, engine, origin } = run;

  // ---- first join: the stream URL's node, else the next that admits us ----
  // init + start chunk in one origin request and the manifest, both while the tracker answers (most joins
  // stay on the stream URL's node): the first frame costs one origin round trip, as an HTTP-FLV viewer's
  engine.prefetchStart();
  const firstManifest = run.manifestOf(base);
  const errors: string[] = [];
  let first: NodeSession | undefined;
  for (let i = 0; i < nodes.urls.length && !first; i++) {
    try {
      first = await run.joinAt(nodes.current);
      nodes.succeeded();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
      nodes.failed();
    }
  }
  if (!first) {
    run.stop();
    throw new Error(errors.join('; '));
  }
  const joined = first.joined;
  run.epoch = joined.epoch;
  origin.epoch = joined.epoch;
  origin.moveTo(first.base);
  run.mesh.configure(joined.peerId, joined.iceServers);
  run.session = first;
  // signals that come while we read the manifest are handled at once (NodeSession), the rest after join
  const m = await within(first.base === base ? firstManifest : run.manifestOf(first.base), 1000);
  if (!m) run.log(`no manifest from ${first.base}: starting at the next keyframe announced`);
  // nothing the stream's key did not sign reaches the engine: no init part to start with, no start
  const recentChunks: ChunkMeta[] = m && m.epoch === joined.epoch ? await check.chunks(joined.epoch, m.chunks) : [];
  if (!(await check.signed(joined.epoch, { init: joined.init }))) {
    run.stop();
    throw new Error(`${first.base}: the stream's init record is not signed by its key (pk)`);
  }
  if (!run.stopped) {
    for (const c of recentChunks) run.newestSeq = Math.max(run.newestSeq, c.seq);
    engine.join({
      peerId: joined.peerId,
      epoch: joined.epoch,
      init: joined.init,
      neighbours: joined.neighbours,
      ...(joined.noUpload ? { noUpload: joined.noUpload } : {}),
      recentChunks,
    });
    run.attach(first);
    run.emit({ type: 'joined', peerId: joined.peerId });
  }
  run.startReports();
  run.startPings(() => failover.moving);

  return {
    peerId: joined.peerId,
    stats: () => ({
      ...engine.stats(),
      node: run.session?.base ?? origin.baseUrl,
      nodeMoves: failover.nodeMoves,
      lastMoveGapMs: failover.lastMoveGapMs,
      refusedRecords: check.refused,
    }),
    stop: () => run.stop(),
  };
}
