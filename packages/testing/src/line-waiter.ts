/**
 * The one process line-waiter: collects every line a child process prints (stdout and stderr) and lets a
 * test wait for a line matching a pattern, printed before or after the call. A wait fails on its timeout,
 * or as soon as the process has exited and closed its output without printing the line.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessLines {
  /** every line printed so far, stdout and stderr interleaved as they arrived */
  readonly lines: string[];
  /** the first line (past or future) matching `pattern` */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

interface Waiter {
  pattern: RegExp;
  resolve(m: RegExpExecArray): void;
  fail(why: string): void;
}

/**
 * Watches `proc`, which must have been spawned with stdout and stderr as pipes. `label` names the process
 * in failure messages (and in the echo of every line when XP2P_TEST_VERBOSE is set).
 */
export function watchLines(proc: ChildProcess, label: string): ProcessLines {
  const lines: string[] = [];
  const waiters = new Set<Waiter>();
  let closed = false;
  const onLine = (line: string): void => {
    lines.push(line);
    if (process.env.XP2P_TEST_VERBOSE) process.stderr.write(`[${label} ${proc.pid}] ${line}\n`);
    for (const w of waiters) {
      const m = w.pattern.exec(line);
      if (m) w.resolve(m);
    }
  };
  if (!proc.stdout || !proc.stderr) throw new Error(`watchLines(${label}): spawn it with stdout and stderr piped`);
  createInterface({ input: proc.stdout }).on('line', onLine);
  createInterface({ input: proc.stderr }).on('line', onLine);
  // 'close' comes after the exit and after both pipes ended, so every line has been seen by then
  proc.once('close', () => {
    closed = true;
    for (const w of waiters) w.fail('process exited before printing');
  });
  const tail = (): string => lines.slice(-30).join('\n');

  return {
    lines,
    waitForLine(pattern, timeoutMs = 15_000) {
      for (const line of lines) {
        const m = pattern.exec(line);
        if (m) return Promise.resolve(m);
      }
      if (closed) return Promise.reject(new Error(`process exited before printing ${pattern} (${label}):\n${tail()}`));
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          pattern,
          resolve(m) {
            waiters.delete(waiter);
            clearTimeout(timer);
            resolve(m);
          },
          fail(why) {
            waiters.delete(waiter);
            clearTimeout(timer);
            reject(new Error(`${why} ${pattern} (${label}):\n${tail()}`));
          },
        };
        const timer = setTimeout(() => waiter.fail(`timed out after ${timeoutMs} ms waiting for`), timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
