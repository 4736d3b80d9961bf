/** A CLI process of the soak (server node, camera, viewer, peer, publisher) and the lines it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI_MAIN } from '../scale/child-processes.js';

export interface CliProcess {
  proc: ChildProcess;
  /** stdout and stderr lines, newest last (the last 200 kept) */
  lines: string[];
  /** the first line matching `pattern`, already printed or still to come */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

export function startCli(args: string[]): CliProcess {
  const proc = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  for (const stream of [proc.stdout, proc.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      for (const l of listeners) l(line);
    });
  }
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      for (const line of lines) {
        const m = pattern.exec(line);
        if (m) return resolve(m);
      }
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(onLine);
        proc.off('exit', onExit);
      };
      const onLine = (line: string): void => {
        const m = pattern.exec(line);
        if (!m) return;
        done();
        resolve(m);
      };
      const onExit = (code: number | null): void => {
        done();
        reject(new Error(`exited (${code}) before ${pattern}: ${lines.slice(-3).join(' | ')}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(onLine);
      proc.once('exit', onExit);
    });
  return { proc, lines, waitFor };
}

export const isRunning = (proc: ChildProcess | undefined): boolean =>
  proc !== undefined && proc.exitCode === null && proc.signalCode === null;

/** kill -9, resolving once the process is gone. */
export async function killHard(proc: ChildProcess): Promise<void> {
  if (!isRunning(proc)) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}
