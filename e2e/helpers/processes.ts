/**
 * Child processes for whole-system tests: the real `xp2p` CLI and viewer processes. Every process a test
 * starts is killed by `stopAll()` (call it in afterEach), so no test leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { watchLines, XP2P_CLI, type ProcessLines } from '@xp2p/testing';

export const CLI = XP2P_CLI;
export const VIEWER = fileURLToPath(new URL('./viewer-process.mjs', import.meta.url));

export interface RunningProcess extends ProcessLines {
  proc: ChildProcess;
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
  const { lines, waitForLine } = watchLines(proc, args.join(' '));
  // 'close' comes once both output pipes ended, so every line the process printed is in `lines` by then ('exit'
  // can come first, and a test reading the lines right after a kill missed the last ones); a grandchild that
  // keeps the pipes open (npm start's node) must not make it wait for ever, hence the bound after 'exit'.
  const exited = new Promise<number | null>((resolve) => {
    proc.once('close', (code) => resolve(code));
    proc.once('exit', (code) => setTimeout(() => resolve(code), 2000).unref());
  });
  const rp: RunningProcess = {
    proc,
    lines,
    exited,
    waitForLine,
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
