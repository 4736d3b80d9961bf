/**
 * Child processes for whole-system tests: the real `xp2p` CLI and viewer processes. Every process a test
 * starts is killed by `stopAll()` (call it in afterEach), so no test leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
export const VIEWER = fileURLToPath(new URL('./viewer-process.mjs', import.meta.url));

export interface RunningProcess {
  proc: ChildProcess;
  lines: string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<RunningProcess>();

export function start(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; program?: string } = {},
): RunningProcess {
  // node by default: most test processes are node scripts (the CLI, viewer processes)
  const proc = spawn(options.program ?? process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    if (process.env.XP2P_TEST_VERBOSE) process.stderr.write(`[${proc.pid}] ${line}\n`);
    for (const w of [...waiters]) {
      const m = w.pattern.exec(line);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  createInterface({ input: proc.stdout! }).on('line', onLine);
  createInterface({ input: proc.stderr! }).on('line', onLine);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const rp: RunningProcess = {
    proc,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 15_000) {
      for (const line of lines) {
        const m = pattern.exec(line);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `timed out waiting for ${pattern} in output of ${args.join(' ')}:\n${lines.slice(-30).join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exited.then(() => {
          // a process that ends can no longer print the line
          setTimeout(() => {
            if (waiters.some((w) => w.pattern === pattern)) {
              clearTimeout(timer);
              reject(new Error(`process exited before printing ${pattern}:\n${lines.slice(-30).join('\n')}`));
            }
          }, 50);
        });
      });
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      running.delete(rp);
    },
  };
  running.add(rp);
  return rp;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

/** Parses the viewer process's JSON lines. */
export function viewerEvents(p: RunningProcess): Record<string, unknown>[] {
  return p.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
