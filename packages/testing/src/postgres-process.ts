/**
 * A private PostgreSQL for one test file: a fresh cluster in a temp dir (initdb, trust auth), listening on
 * 127.0.0.1 on a free port and on a socket in that dir, gone with `stop()`. PostgreSQL refuses to run as
 * root, so under root the cluster belongs to the `postgres` user the Debian package creates.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-postgres.sh', import.meta.url));

export interface PostgresProcess {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL under /usr/lib/postgresql (scripts/ensure-postgres.sh)');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Under root: run as the `postgres` user (spawn's uid/gid, so signals reach postgres itself). */
function owner(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(): Promise<PostgresProcess> {
  execFileSync('bash', [ENSURE], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'xp2p-pg-'));
  const as = owner();
  if ('uid' in as) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const bin = binDir();
  execFileSync(`${bin}/initdb`, ['-D', data, '-U', 'xp2p', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
    stdio: 'pipe',
    cwd: dir,
    ...as,
  });
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ];
  const proc = spawn(`${bin}/postgres`, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...as });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`postgres did not start:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code}):\n${out}`));
    });
  });
  return {
    url: `postgres://xp2p@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await end(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function end(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGINT'); // PostgreSQL's "fast shutdown"
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
