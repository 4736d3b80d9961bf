/**
 * `GET /api/streams` and `GET /api/streams/NAME/stats`: 1vN figures per stream. Unsigned and read-only on
 * purpose, so a dashboard (or `curl`) can watch a room's share without app credentials; they reveal only
 * stream names and byte counts, which anyone who can watch the stream can learn anyway.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCameraStreamName } from '@xp2p/protocol';
import { HttpError, methodNotAllowed } from '../errors.js';
import type { Origin } from '../origin/origin.js';
import type { Tracker } from '../tracker/tracker.js';
import type { StreamLocation, SwarmFigures } from '../cluster/cluster.js';

/** What the other nodes know (cluster): their figures of a stream, and the streams published on them. */
export interface ClusterStreams {
  figures(stream: string): Promise<SwarmFigures[]>;
  published(limit: number): Promise<Map<string, StreamLocation>>;
}

/** Streams listed by GET /api/streams at most (a cluster may hold many). */
const MAX_LISTED = 1_000;
import { sendJson } from '../json-response.js';

/** A 1vN stream's figures as `/api/streams/NAME/stats` answers them. */
export interface StreamStats {
  stream: string;
  /** a publisher is sending right now */
  live: boolean;
  /** the current (or last) publish; null when only a swarm is left */
  epoch: string | null;
  /** peers in the swarm now */
  peers: number;
  /** media bytes the origin sent: HTTP-FLV viewers, init and chunk downloads */
  originBytes: number;
  /** sums of the peers' latest reports; peers that left keep counting with their last report */
  p2pBytes: number;
  cdnBytes: number;
  uploadBytes: number;
  stalls: number;
  /** chunks cut in the current publish */
  chunks: number;
  /** average over the chunk window */
  bitrateKbps: number;
  /** the stream's public key (record-signature.ts): a viewer's URL carries it as `?pk=` */
  pk?: string;
}

export const STREAMS_PATH = '/api/streams';
const STATS_PATH = /^\/api\/streams\/([^/]+)\/stats$/;

export const isStreamsApiPath = (path: string): boolean => path === STREAMS_PATH || STATS_PATH.test(path);

export function streamStats(origin: Origin, tracker: Tracker, name: string): StreamStats | undefined {
  const stream = origin.stream(name);
  const swarm = tracker.stats(name);
  if (!stream && !tracker.swarmNames().includes(name)) return undefined;
  return {
    stream: name,
    live: stream?.live ?? false,
    epoch: stream?.epoch ?? null,
    peers: swarm.peers,
    originBytes: origin.originBytes(name),
    p2pBytes: swarm.p2pBytes,
    cdnBytes: swarm.cdnBytes,
    uploadBytes: swarm.uploadBytes,
    stalls: swarm.stalls,
    chunks: stream?.chunkCount ?? 0,
    bitrateKbps: stream?.bitrateKbps() ?? 0,
  };
}

/** Adds the other nodes' figures (cluster): the swarm and the bytes served span every node. */
function withClusterFigures(
  name: string,
  local: StreamStats | undefined,
  others: SwarmFigures[],
): StreamStats | undefined {
  if (others.length === 0) return local;
  const sum: StreamStats = local ?? {
    stream: name,
    live: false,
    epoch: null,
    peers: 0,
    originBytes: 0,
    p2pBytes: 0,
    cdnBytes: 0,
    uploadBytes: 0,
    stalls: 0,
    chunks: 0,
    bitrateKbps: 0,
  };
  for (const f of others) {
    sum.peers += f.peers;
    sum.originBytes += f.originBytes;
    sum.p2pBytes += f.p2pBytes;
    sum.cdnBytes += f.cdnBytes;
    sum.uploadBytes += f.uploadBytes;
    sum.stalls += f.stalls;
  }
  return sum;
}

/**
 * Redis down: this node still answers with what it holds (dashboards and the rooms list keep working),
 * and the answer says `partial: true`.
 */
async function orLocalOnly<T>(work: () => Promise<T>, fallback: T, partial: { value: boolean }): Promise<T> {
  try {
    return await work();
  } catch {
    partial.value = true;
    return fallback;
  }
}

/** One stream's stats over every node: this node's, plus the figures the others wrote. */
async function clusterWide(
  origin: Origin,
  tracker: Tracker,
  name: string,
  cluster: ClusterStreams | undefined,
  location: StreamLocation | undefined,
  partial: { value: boolean },
): Promise<StreamStats | undefined> {
  let stats = streamStats(origin, tracker, name);
  if (!stats && location) {
    // published on another node and never mirrored here
    stats = withClusterFigures(name, undefined, [
      { peers: 0, originBytes: 0, p2pBytes: 0, cdnBytes: 0, uploadBytes: 0, stalls: 0 },
    ])!;
    stats.live = true;
    stats.epoch = location.epoch;
  }
  const all = cluster
    ? withClusterFigures(name, stats, await orLocalOnly(() => cluster.figures(name), [], partial))
    : stats;
  // the key viewers check the origin's signatures with (`?pk=` of the stream URL): the same on every node
  const pk = origin.publicKeyOf(name);
  return all && pk ? { ...all, pk } : all;
}

export async function handleStreamsApi(
  origin: Origin,
  tracker: Tracker,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  cluster?: ClusterStreams,
): Promise<void> {
  if (req.method !== 'GET') {
    throw methodNotAllowed(res, req.method, path, ['GET']);
  }
  const match = STATS_PATH.exec(path);
  if (match) {
    const name = match[1]!; // stream names never need percent-encoding
    const partial = { value: false };
    const stats = await clusterWide(origin, tracker, name, cluster, undefined, partial);
    if (!stats) throw new HttpError(404, `unknown stream ${name}`);
    return sendJson(res, 200, partial.value ? { ...stats, partial: true } : stats);
  }
  const partial = { value: false };
  const none = new Map<string, StreamLocation>();
  const elsewhere = cluster ? await orLocalOnly(() => cluster.published(MAX_LISTED), none, partial) : none;
  const names = new Set([...origin.streams().map((s) => s.name), ...tracker.swarmNames(), ...elsewhere.keys()]);
  // a camera's 1vN stream name is a capability (protocol/src/auth/camera-stream.ts): never listed
  for (const name of names) if (isCameraStreamName(name)) names.delete(name);
  const streams: StreamStats[] = [];
  for (const name of [...names].sort().slice(0, MAX_LISTED)) {
    const stats = await clusterWide(origin, tracker, name, cluster, elsewhere.get(name), partial);
    if (stats) streams.push(stats);
  }
  const totals = { peers: 0, originBytes: 0, p2pBytes: 0, cdnBytes: 0, uploadBytes: 0, stalls: 0 };
  for (const s of streams) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += s[key];
  sendJson(res, 200, partial.value ? { streams, totals, partial: true } : { streams, totals });
}
