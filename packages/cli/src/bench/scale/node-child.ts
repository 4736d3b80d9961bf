/**
 * One server node of the scale bench in its own process (its RSS is its own): the development config in
 * the shared data directory, joined to the cluster's Redis and its accounts PostgreSQL (as `xp2p server
 * --redis --db` runs), listening on 0.0.0.0 so every 127.0.0.x source address reaches it. The demo app and
 * camera (dev-credentials.json) go into the database, as the first `xp2p server` start puts them there.
 * Prints one JSON line {url}; runs until SIGTERM.
 * Input: one JSON argument {dataDir, redis, db}.
 */
import { CAPACITY_BENCH_TUNING, ensureDevConfig, readDevCredentials, startServer } from '@xp2p/server';

const input = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; redis: string; db: string };
const { config } = await ensureDevConfig(input.dataDir);
const credentials = await readDevCredentials(input.dataDir);
if (!credentials) throw new Error(`no dev-credentials.json in ${input.dataDir}`);
const server = await startServer({
  config: { ...config, apps: credentials.apps, devices: credentials.devices },
  db: input.db,
  host: '0.0.0.0',
  port: 0,
  stunPort: 0,
  redis: input.redis,
  insecure: true, // only loopback clients connect, but 0.0.0.0 would be reachable from elsewhere
  tuning: CAPACITY_BENCH_TUNING,
});
const url = server.url.replace('0.0.0.0', '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
