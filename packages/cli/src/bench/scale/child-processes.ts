/**
 * Child processes for the multi-node benches (`npm run bench:scale`, `npm run soak`): a Node script under a
 * raised open-file limit that prints JSON lines, a private redis-server, and what /proc says about a pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/cli/{src,dist}/bench/scale/…). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
export const CLI_MAIN = `${REPO_ROOT}packages/cli/dist/main.js`;

/** `node script ...args` under `ulimit -n fileLimit` (or the hard limit when that is lower). */
export function spawnNodeWithLimit(script: string, args: string[], fileLimit: number): ChildProcess {
  const raise = `ulimit -n ${fileLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  return spawn('bash', ['-c', raise, process.execPath, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Calls onLine with every stdout line of the child that parses as a JSON object. */
export function jsonLines(child: ChildProcess, onLine: (o: Record<string, unknown>) => void): void {
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    try {
      onLine(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a log line that merely starts with a brace */
    }
  });
}

/** The first JSON line for which `pick` returns a value; rejects when the child exits first or time runs out. */
export function firstJson<T>(
  child: ChildProcess,
  pick: (o: Record<string, unknown>) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no expected line within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before its line`)));
    jsonLines(child, (o) => {
      const value = pick(o);
      if (value === undefined) return;
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Resident memory of a process, from /proc (0 when it is gone). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of a process, from /proc (0 when it is gone). */
export function fdCountOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A loopback redis-server without persistence on `port`; resolves once it accepts connections. */
export async function launchRedis(port: number): Promise<ChildProcess> {
  execFileSync('bash', [`${REPO_ROOT}scripts/ensure-redis.sh`], { stdio: 'inherit' });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const proc = spawn('redis-server', [...args, '--maxclients', '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    proc.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!/Ready to accept connections/.test(line)) return;
      clearTimeout(timer);
      resolve();
    });
  });
  return proc;
}

/** Redis's own count of the memory it uses for data (`INFO memory` used_memory), in bytes. */
export function redisUsedMemory(port: number): number {
  const info = execFileSync('redis-cli', ['-p', String(port), 'info', 'memory'], { encoding: 'utf8' });
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error(`redis-cli info memory: no used_memory in ${info.slice(0, 200)}`);
  return Number(m[1]);
}
