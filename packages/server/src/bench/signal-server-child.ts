/**
 * The server side of the signalling load bench, in its own process so its RSS is the server's alone:
 * starts a server on 127.0.0.1 (port 0) and prints one JSON line {url, app}. Runs until SIGTERM.
 */
import { createDevConfig } from '../config/dev-config.js';
import { startServer } from '../server.js';
import { CAPACITY_BENCH_TUNING } from './capacity-tuning.js';

const config = createDevConfig();
const server = await startServer({
  config,
  host: '0.0.0.0', // reachable from every 127.0.0.x source address the load client uses
  insecure: true, // only loopback clients connect, but 0.0.0.0 would be reachable from elsewhere
  port: 0,
  stunPort: 0,
  tuning: CAPACITY_BENCH_TUNING,
});
process.stdout.write(`${JSON.stringify({ url: server.url.replace('0.0.0.0', '127.0.0.1'), app: config.apps[0] })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
