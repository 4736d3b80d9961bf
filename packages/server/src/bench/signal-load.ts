/**
 * The signalling load bench: how many idle viewer sessions one node holds, what each costs in server
 * memory, and how fast they join. Server and load client run as separate processes (RSS is the server's
 * alone), each with its open-file limit raised as far as the hard limit allows. Returns the figures for
 * `npm run bench` (BENCHMARKS.md): signal_conns_max, signal_rss_bytes_per_conn, signal_joins_per_s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The bench's defaults and waits in one place. */
export const SIGNAL_LOAD_DEFAULTS = Object.freeze({
  /** sessions to open */
  connections: 50_000,
  /** 127.0.0.x source addresses to spread over (127.0.0.2 …) */
  sources: 4,
  /** handshakes in flight at once */
  concurrency: 256,
  /** after the server starts, before its idle RSS is read */
  idleSettleMs: 500,
  /** after the last session joined, before the loaded RSS is read (lets the server's GC run) */
  loadedSettleMs: 1_000,
  /** a bench process that has not exited this long after SIGTERM gets SIGKILL */
  stopTimeoutMs: 15_000,
});

/** Options of {@link runSignalLoadBench}. */
export interface SignalLoadOptions {
  /** sessions to open; default SIGNAL_LOAD_DEFAULTS.connections */
  connections?: number;
  /** 127.0.0.x source addresses to spread over; default SIGNAL_LOAD_DEFAULTS.sources */
  sources?: number;
  /** handshakes in flight at once; default SIGNAL_LOAD_DEFAULTS.concurrency */
  concurrency?: number;
  /** open-file limit to ask for in both processes; default connections + 1,000 */
  fileLimit?: number;
  /** receives progress lines */
  log?: (line: string) => void;
}

/** What {@link runSignalLoadBench} measured. */
export interface SignalLoadResult {
  signal_conns_max: number;
  signal_rss_bytes_per_conn: number;
  signal_joins_per_s: number;
  server_rss_bytes_idle: number;
  server_rss_bytes_loaded: number;
  failed: number;
  /** the open-file limit the processes actually got */
  file_limit: number;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Runs `node script arg` under `ulimit -n` (as high as allowed), printing JSON lines. */
function spawnWithLimit(script: string, arg: string, fileLimit: number): ChildProcess {
  const raise = `ulimit -Hn ${fileLimit} 2>/dev/null; ulimit -n ${fileLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; echo "{\\"fileLimit\\":$(ulimit -n)}"; exec "$0" "$@"`;
  return spawn('bash', ['-c', raise, process.execPath, script, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function jsonLines(child: ChildProcess, onLine: (o: Record<string, unknown>) => void): void {
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      onLine(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* not ours */
    }
  });
}

const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), SIGNAL_LOAD_DEFAULTS.stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Opens many idle signed viewer sessions against one server process and measures joins per second and memory per connection. */
export async function runSignalLoadBench(options: SignalLoadOptions = {}): Promise<SignalLoadResult> {
  const connections = options.connections ?? SIGNAL_LOAD_DEFAULTS.connections;
  const fileLimit = options.fileLimit ?? connections + 1_000;
  const log = options.log ?? (() => {});
  const server = spawnWithLimit(here('./signal-server-child.js'), '', fileLimit);
  let client: ChildProcess | undefined;
  try {
    let limit = 0;
    const started = await new Promise<{ url: string; app: unknown }>((resolve, reject) => {
      jsonLines(server, (o) => {
        if (typeof o.fileLimit === 'number') limit = o.fileLimit;
        if (typeof o.url === 'string') resolve(o as { url: string; app: unknown });
      });
      server.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    });
    await new Promise((r) => setTimeout(r, SIGNAL_LOAD_DEFAULTS.idleSettleMs));
    const idle = rssOf(server.pid!);
    const input = {
      url: started.url,
      app: started.app,
      connections: Math.min(connections, Math.max(0, limit - 200)),
      sources: options.sources ?? SIGNAL_LOAD_DEFAULTS.sources,
      concurrency: options.concurrency ?? SIGNAL_LOAD_DEFAULTS.concurrency,
    };
    if (input.connections < connections) log(`signal bench: open-file limit ${limit}, opening ${input.connections}`);
    client = spawnWithLimit(here('./signal-load-client.js'), JSON.stringify(input), fileLimit);
    const done = await new Promise<{ connected: number; failed: number; ms: number }>((resolve, reject) => {
      jsonLines(client!, (o) => {
        if (o.progress !== undefined) log(`signal bench: ${String(o.progress)} connected`);
        if (o.done) resolve(o as unknown as { connected: number; failed: number; ms: number });
      });
      client!.once('exit', (code) => reject(new Error(`bench client exited (${code})`)));
    });
    await new Promise((r) => setTimeout(r, SIGNAL_LOAD_DEFAULTS.loadedSettleMs));
    const loaded = rssOf(server.pid!);
    return {
      signal_conns_max: done.connected,
      signal_rss_bytes_per_conn: done.connected > 0 ? Math.round((loaded - idle) / done.connected) : 0,
      signal_joins_per_s: Math.round(done.connected / (done.ms / 1000)),
      server_rss_bytes_idle: idle,
      server_rss_bytes_loaded: loaded,
      failed: done.failed,
      file_limit: limit,
    };
  } finally {
    if (client) await stop(client);
    await stop(server);
  }
}
