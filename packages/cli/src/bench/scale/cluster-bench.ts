/**
 * The cluster scale bench (`npm run bench:scale`): idle signed viewer sessions spread over several server
 * nodes on one real redis-server, on loopback. One process cannot hold 50,000 sockets here (hard open-file
 * limit 20,000), so each node and each load client is its own process holding a share. While the sessions
 * join, a camera logged in to the first node answers commands sent through the last node (Redis relays
 * them); the bench reports node RSS and Redis memory per session, joins per second and whether every
 * command round-trip succeeded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureDevConfig } from '@xp2p/server';
import {
  CLI_MAIN,
  REPO_ROOT,
  firstJson,
  jsonLines,
  launchRedis,
  redisUsedMemory,
  rssOf,
  spawnNodeWithLimit,
  stopChild,
} from './child-processes.js';

export interface ScaleBenchOptions {
  sessions: number;
  nodes: number;
  /** 127.0.0.x source addresses the load clients spread over (one address has ~28k ephemeral ports) */
  sources: number;
  /** handshakes in flight per load client */
  concurrency: number;
  log: (line: string) => void;
}

export interface ScaleBenchResult {
  signal_cluster_sessions: number;
  signal_cluster_nodes: number;
  signal_cluster_rss_bytes_per_session: number;
  signal_cluster_redis_bytes_per_session: number;
  signal_cluster_joins_per_s: number;
  signal_cluster_command_ok: number;
  signal_cluster_commands: number;
  signal_cluster_commands_failed: number;
  signal_cluster_command_ms_max: number;
  signal_cluster_command_ms_p50: number;
  signal_cluster_failed_joins: number;
}

/** Per node and load client: its share of the sessions plus room for Redis, the camera and the process. */
const FILE_LIMIT = 20_000;
/** A whole `xp2p cmd` run (process start, signalling, WebRTC, command) on 2 cores shared with the load. */
const COMMAND_CAP_MS = 120_000;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const LOAD_CLIENT = `${REPO_ROOT}packages/server/dist/bench/signal-load-client.js`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Runs the CLI, resolving with its exit code and stdout. */
export function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Resolves when a line of the child's stdout matches; rejects when it exits first or time runs out. */
export function waitForStdoutLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${pattern}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!pattern.test(line)) return;
      clearTimeout(timer);
      resolve(line);
    });
  });
}

export async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url}/readyz not 200 within ${timeoutMs} ms (last ${status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A command sent through `viaUrl` to demo/cam1; ok when the CLI exits 0 with the camera's success answer. */
async function commandRoundTrip(viaUrl: string, dataDir: string): Promise<{ ok: boolean; ms: number; detail: string }> {
  const t0 = performance.now();
  const cmd = 'action=inner_define&channel=0&cmd=get_device_st&type=live';
  const args = ['cmd', 'demo/cam1', cmd, '--server', viaUrl, '--data', dataDir];
  const { code, out } = await runCli(args, COMMAND_CAP_MS);
  const ok = code === 0 && /"type": "success"/.test(out);
  const detail = ok ? '' : out.trim().split('\n').slice(-2).join(' | ');
  return { ok, ms: Math.round(performance.now() - t0), detail };
}

interface LoadDone {
  connected: number;
  failed: number;
  ms: number;
}

function startLoadClient(url: string, app: unknown, connections: number, o: ScaleBenchOptions): ChildProcess {
  const input = { url, app, connections, sources: o.sources, concurrency: o.concurrency };
  return spawnNodeWithLimit(LOAD_CLIENT, [JSON.stringify(input)], FILE_LIMIT);
}

export async function runScaleBench(o: ScaleBenchOptions): Promise<ScaleBenchResult> {
  // cluster nodes keep their accounts in one PostgreSQL (npm run bench:scale starts it: scripts/with-postgres.sh)
  const db = process.env.XP2P_BENCH_DB;
  if (!db?.startsWith('postgres'))
    throw new Error('XP2P_BENCH_DB (postgres://…) is not set: run `npm run bench:scale`');
  const dataDir = mkdtempSync(join(tmpdir(), 'xp2p-scale-'));
  const { config } = await ensureDevConfig(dataDir); // written once, before the nodes read it
  const redisPort = await freePort();
  const redis = await launchRedis(redisPort);
  const children: ChildProcess[] = [];
  try {
    const nodes: { proc: ChildProcess; url: string }[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const proc = spawnNodeWithLimit(
        here('./node-child.js'),
        [JSON.stringify({ dataDir, redis: `redis://127.0.0.1:${redisPort}`, db })],
        FILE_LIMIT,
      );
      children.push(proc);
      const url = await firstJson(proc, (l) => (typeof l.url === 'string' ? l.url : undefined), 60_000);
      await waitReady(url, 30_000);
      nodes.push({ proc, url });
    }
    o.log(`scale: ${o.nodes} nodes up on redis :${redisPort}`);
    const device = spawn(
      process.execPath,
      [CLI_MAIN, 'device', '--server', nodes[0]!.url, '--data', dataDir, '--no-record'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(device);
    await waitForStdoutLine(device, /^device: .* online/, 60_000);
    const via = nodes[nodes.length - 1]!.url;
    const commands = [await commandRoundTrip(via, dataDir)];
    o.log(`scale: camera on node 1, command through node ${o.nodes}: ${commands[0]!.ok ? 'ok' : 'FAILED'}`);

    await new Promise((r) => setTimeout(r, 1_000));
    const rssIdle = nodes.map((n) => rssOf(n.proc.pid!));
    const redisIdle = redisUsedMemory(redisPort);

    const t0 = performance.now();
    const share = (i: number): number => Math.floor(o.sessions / o.nodes) + (i < o.sessions % o.nodes ? 1 : 0);
    const progress = new Array<number>(o.nodes).fill(0);
    const loads = nodes.map((n, i) => {
      const client = startLoadClient(n.url, config.apps[0], share(i), o);
      children.push(client);
      jsonLines(client, (l) => {
        if (typeof l.progress !== 'number') return;
        progress[i] = l.progress;
        o.log(`scale: ${progress.reduce((a, b) => a + b, 0)} sessions joined`);
      });
      return firstJson<LoadDone>(client, (l) => (l.done ? (l as unknown as LoadDone) : undefined), 3_600_000);
    });
    // Commands across nodes keep round-tripping while the sessions pile up.
    let loading = true;
    const probing = (async () => {
      while (loading) {
        const c = await commandRoundTrip(via, dataDir);
        commands.push(c);
        o.log(`scale: cross-node command ${c.ok ? 'ok' : `FAILED (${c.detail})`} in ${c.ms} ms`);
        await new Promise((r) => setTimeout(r, 3_000));
      }
    })();
    const done = await Promise.all(loads);
    const joinMs = performance.now() - t0;
    loading = false;
    await probing;
    await new Promise((r) => setTimeout(r, 2_000)); // let the nodes settle before measuring
    const last = await commandRoundTrip(via, dataDir); // and once more with every session held
    commands.push(last);
    o.log(`scale: with every session held, command ${last.ok ? 'ok' : `FAILED (${last.detail})`} in ${last.ms} ms`);
    const rssLoaded = nodes.map((n) => rssOf(n.proc.pid!));
    const redisLoaded = redisUsedMemory(redisPort);
    const connected = done.reduce((a, d) => a + d.connected, 0);
    const perSession = (delta: number): number => (connected > 0 ? Math.round(delta / connected) : 0);
    return {
      signal_cluster_sessions: connected,
      signal_cluster_nodes: o.nodes,
      signal_cluster_rss_bytes_per_session: perSession(
        rssLoaded.reduce((a, b) => a + b, 0) - rssIdle.reduce((a, b) => a + b, 0),
      ),
      signal_cluster_redis_bytes_per_session: perSession(redisLoaded - redisIdle),
      signal_cluster_joins_per_s: Math.round(connected / (joinMs / 1000)),
      signal_cluster_command_ok: commands.every((c) => c.ok) ? 1 : 0,
      signal_cluster_commands: commands.length,
      signal_cluster_commands_failed: commands.filter((c) => !c.ok).length,
      signal_cluster_command_ms_max: Math.max(...commands.map((c) => c.ms)),
      signal_cluster_command_ms_p50: [...commands].sort((a, b) => a.ms - b.ms)[Math.floor(commands.length / 2)]!.ms,
      signal_cluster_failed_joins: done.reduce((a, d) => a + d.failed, 0),
    };
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    await stopChild(redis, 3_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
