/** Starts an `xp2p` subcommand as its own process (benchmarks measure real processes) and waits for its ready line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CLI_DEFAULTS } from '../args.js';

export const CLI = fileURLToPath(new URL('../main.js', import.meta.url));

export function launch(
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start`)), CLI_DEFAULTS.benchStartTimeoutMs);
    const onLine = (line: string) => {
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, match: m });
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code})`)));
  });
}
