/** `xp2p server --redis` processes for the cluster tests, and what the tests read from them. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parsePrometheusText, startPostgres, type PostgresProcess } from '@xp2p/testing';
import { CLI, start, stopAll, type RunningProcess } from '../helpers/processes.js';
import { waitForChunks } from '../helpers/streams.js';
import { startRedis, type RedisProcess } from './redis-process.js';

export interface ServerNode {
  proc: RunningProcess;
  url: string;
}

/**
 * Nodes of one cluster share their accounts through PostgreSQL (the embedded database belongs to one
 * process): one private PostgreSQL per data directory, started with its first node, stopped after the file.
 */
const postgresByDataDir = new Map<string, Promise<PostgresProcess>>();
afterAll(async () => {
  const all = [...postgresByDataDir.values()];
  postgresByDataDir.clear();
  for (const pg of all) await (await pg).stop();
});

/** One node on `redisUrl`; the first node started on `dataDir` writes the config the others share. */
export async function startNode(
  dataDir: string,
  redisUrl: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerNode> {
  let postgres = postgresByDataDir.get(dataDir);
  if (!postgres) postgresByDataDir.set(dataDir, (postgres = startPostgres()));
  const db = (await postgres).url;
  const proc = start(
    [CLI, 'server', '--data', dataDir, '--port', '0', '--stun-port', '0', '--redis', redisUrl, '--db', db, ...extra],
    { env },
  );
  const m = await proc.waitForLine(/^server: (https?:\/\/\S+)/, 60_000);
  await proc.waitForLine(/cluster: redis ready/);
  return { proc, url: m[1]! };
}

export interface AppCredentials {
  appid: string;
  appKey: string;
  appSecretKey: string;
}

export function appParamsOf(dataDir: string): AppCredentials {
  const config = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as { apps: AppCredentials[] };
  const app = config.apps[0]!;
  return { appid: app.appid, appKey: app.appKey, appSecretKey: app.appSecretKey };
}

export const readyz = async (url: string): Promise<number> => (await fetch(`${url}/readyz`)).status;

/** /metrics parsed strictly as Prometheus text (throws on a line that is not). */
export const metricsOf = async (url: string): Promise<Map<string, number>> =>
  parsePrometheusText(await (await fetch(`${url}/metrics`)).text());

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface TwoNodeCluster {
  redis: RedisProcess;
  dataDir: string;
  nodeA: ServerNode;
  nodeB: ServerNode;
  appParams: AppCredentials;
}

/**
 * A real redis-server and two `xp2p server --redis` nodes sharing it, started before the file's tests and
 * stopped after them (with every process the tests started). The fields are set once `beforeAll` ran.
 */
export function useTwoNodeCluster(dirPrefix: string): TwoNodeCluster {
  const cluster = {} as TwoNodeCluster;
  beforeAll(async () => {
    cluster.redis = await startRedis();
    cluster.dataDir = mkdtempSync(join(tmpdir(), dirPrefix));
    cluster.nodeA = await startNode(cluster.dataDir, cluster.redis.url); // writes the shared config first
    cluster.nodeB = await startNode(cluster.dataDir, cluster.redis.url);
    cluster.appParams = appParamsOf(cluster.dataDir);
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await cluster.redis?.stop();
    if (cluster.dataDir) rmSync(cluster.dataDir, { recursive: true, force: true });
  });
  return cluster;
}

/** `xp2p publish NAME sample` to node A of the cluster, once its first chunks exist. */
export async function publishSample(cluster: TwoNodeCluster, name: string): Promise<RunningProcess> {
  const publisher = start([CLI, 'publish', name, 'sample', '--server', cluster.nodeA.url, '--data', cluster.dataDir]);
  await publisher.waitForLine(/^publishing:/);
  await waitForChunks(cluster.nodeA.url, name);
  return publisher;
}
