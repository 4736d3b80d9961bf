/**
 * `xp2p bench-swarm` (npm run bench:swarm): the 1vN simulation alone — N = 10, 50, 200, 1000 over the
 * simulator's realistic network, medians over several seeds. Updates the swarm_sim_* figures in
 * bench/results.json and the simulation rows of BENCHMARKS.md; every other figure stays as it was.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { runSwarmBench } from '@xp2p/sdk/node';
import { writeResults } from '../bench/report.js';
import { round } from '../bench/stats.js';

export async function benchSwarmCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '10,50,200,1000' },
      runs: { type: 'string', default: '3' },
      'large-runs': { type: 'string', default: '1' },
      out: { type: 'string', default: '.' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 2))
    throw new Error(`--sizes: whole numbers ≥ 2, got ${values.sizes}`);
  const runs = Number(values.runs);
  const largeRuns = Number(values['large-runs']);
  console.log(
    'N      offload  limit  ratio  continuity  startup p50/p95  lag p50  added lag p50/p95  control  origin fetches/chunk (seed+urgent)  runtime',
  );
  const figures = await runSwarmBench({
    sizes,
    runs: (n) => (n >= 1000 ? largeRuns : runs),
    onRun: (n, run, r) =>
      process.stderr.write(
        `  N=${n} run ${run + 1}: offload ${r.offload.toFixed(3)} continuity ${r.continuity.toFixed(4)} added lag p50 ${Math.round(r.addedLagMs.p50)} ms (${Math.round(r.wallMs / 1000)} s)\n`,
      ),
    onResult: (n, f) => {
      const g = (name: string) => f[`swarm_sim_n${n}_${name}`] ?? Number.NaN;
      console.log(
        [
          String(n).padEnd(6),
          g('offload').toFixed(3).padStart(7),
          g('limit').toFixed(3).padStart(6),
          g('ratio_to_limit').toFixed(3).padStart(6),
          g('continuity').toFixed(4).padStart(11),
          `${Math.round(g('startup_ms_p50'))}/${Math.round(g('startup_ms_p95'))} ms`.padStart(16),
          `${Math.round(g('lag_ms_p50'))} ms`.padStart(8),
          `${Math.round(g('added_lag_ms_p50'))}/${Math.round(g('added_lag_ms_p95'))} ms`.padStart(18),
          `${round(g('control_overhead_ratio') * 100, 2)}%`.padStart(8),
          `${g('seed_fetches_per_chunk').toFixed(2)}+${g('urgent_fetches_per_chunk').toFixed(2)}`.padStart(36),
          `${Math.round(g('runtime_ms') / 1000)} s × ${g('runs')}`.padStart(9),
        ].join(' '),
      );
    },
    onLongGop: (f) =>
      console.log(
        `N=50, 4 s GOP: offload ${f.swarm_sim_n50_gop4s_offload?.toFixed(3)} continuity ${f.swarm_sim_n50_gop4s_continuity?.toFixed(4)} ` +
          `startup p50/p95 ${Math.round(f.swarm_sim_n50_gop4s_startup_ms_p50 ?? NaN)}/${Math.round(f.swarm_sim_n50_gop4s_startup_ms_p95 ?? NaN)} ms ` +
          `added lag p50/p95 ${Math.round(f.swarm_sim_n50_gop4s_added_lag_ms_p50 ?? NaN)}/${Math.round(f.swarm_sim_n50_gop4s_added_lag_ms_p95 ?? NaN)} ms`,
      ),
    onAttackRow: (kind, share, f) =>
      console.log(
        `N=50, ${Math.round(share * 100)}% ${kind}: offload ${f.offload.toFixed(3)} (honest ${f.honest_offload.toFixed(3)}) continuity ${f.continuity.toFixed(4)} ` +
          `evicted ${f.honest_evicted} honest / ${f.attackers_evicted} attackers`,
      ),
  });
  if (values['no-write']) return;
  writeResults(resolve(values.out), Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v, 4)])));
  console.log('updated the swarm_sim_* figures in bench/results.json and BENCHMARKS.md');
}
