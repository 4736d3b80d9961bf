/**
 * A private redis-server for one test file: loopback only, a free port, no persistence, no config file of
 * the system's. `stop()` ends it (SIGTERM, then SIGKILL); `restart()` brings it back on the same port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, watchLines } from '@xp2p/testing';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-redis.sh', import.meta.url));

export interface RedisProcess {
  port: number;
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

async function launch(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await watchLines(proc, 'redis-server').waitForLine(/Ready to accept connections/, 10_000);
  } catch (err) {
    proc.kill('SIGKILL'); // never leave a half-started server behind
    throw new Error(`redis-server did not start: ${(err as Error).message}`, { cause: err });
  }
  return proc;
}

async function end(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export async function startRedis(): Promise<RedisProcess> {
  execFileSync('bash', [ENSURE], { stdio: 'inherit' });
  const port = await freePort();
  let proc = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => end(proc),
    async restart() {
      await end(proc);
      proc = await launch(port);
    },
  };
}
