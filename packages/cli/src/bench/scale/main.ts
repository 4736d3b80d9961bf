/**
 * `npm run bench:scale`: the cluster scale bench (SCALE_SESSIONS, default 100,000, over SCALE_NODES, default
 * 6). Prints the figures and, unless SCALE_NO_WRITE=1, merges the signal_cluster_* figures into
 * bench/results.json and BENCHMARKS.md; every other figure stays as it was.
 */
import { loadavg } from 'node:os';
import { writeResults } from '../report.js';
import { REPO_ROOT } from './child-processes.js';
import { runScaleBench } from './cluster-bench.js';

const int = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: a whole number ≥ 1, got ${process.env[name]}`);
  return value;
};

const sessions = int('SCALE_SESSIONS', 100_000);
const load = loadavg()[0]!;
const result = await runScaleBench({
  sessions,
  nodes: int('SCALE_NODES', 6),
  sources: int('SCALE_SOURCES', 8),
  concurrency: int('SCALE_CONCURRENCY', 64),
  log: (line) => process.stderr.write(`${line}\n`),
});
const figures = { ...result, signal_cluster_load_average: Math.round(Math.max(load, loadavg()[0]!) * 10) / 10 };
console.log(JSON.stringify(figures, null, 2));
if (process.env.SCALE_NO_WRITE !== '1') {
  writeResults(REPO_ROOT, figures);
  console.log('updated the signal_cluster_* figures in bench/results.json and BENCHMARKS.md');
}
process.exit(result.signal_cluster_command_ok === 1 && result.signal_cluster_sessions === sessions ? 0 : 1);
