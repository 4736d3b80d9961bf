/**
 * `xp2p bench-agent` (npm run bench:agent): RSS and CPU of the camera agent serving live viewers of a
 * 2 Mbit/s stream while recording (bench/agent-load.ts). Updates the agent_* figures in bench/results.json
 * and their rows in BENCHMARKS.md. Needs ffmpeg (npm run setup) to make the stream once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupNodeWebRTC } from '@xp2p/sdk/node';
import { measureAgentLoad } from '../bench/agent-load.js';
import { agentFigures } from '../bench/agent-section.js';
import { writeResults } from '../bench/report.js';
import { progressBar } from '../progress.js';

export async function benchAgentCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '30' },
      out: { type: 'string', default: '.' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const viewers = Number(values.viewers);
  const seconds = Number(values.seconds);
  const dir = mkdtempSync(join(tmpdir(), 'xp2p-bench-agent-'));
  const children: ChildProcess[] = [];
  const bar = progressBar((done, total) => `measuring the agent ${done}/${total} s`);
  try {
    const r = await measureAgentLoad(
      { dir, viewers, seconds, warmupSeconds: 5, onSecond: (s) => bar.update(s, seconds) },
      children,
    );
    bar.finish();
    const figures = agentFigures(r, viewers, seconds);
    for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
    if (!values['no-write']) {
      writeResults(resolve(values.out), figures);
      console.log('updated the agent_* figures in bench/results.json and BENCHMARKS.md');
    }
  } finally {
    // the agent flushes its recording as it stops: wait for it before removing its directory
    await Promise.all(children.map(stopChild));
    cleanupNodeWebRTC();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
