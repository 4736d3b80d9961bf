/**
 * The swarm benchmark: the simulator at N = 10, 50, 200, 1000 with the default (realistic) network, as
 * flat figures `swarm_sim_n{N}_{figure}` for the bench report. Each size runs `runs` times with different
 * seeds (peers, bandwidths, joins); every figure is the median over those runs.
 */
import { runAttackBench, type AttackBenchOptions } from './attack-bench.js';
import { runSwarmSimulation, type SwarmSimOptions, type SwarmSimResult } from './run-simulation.js';

export interface SwarmBenchOptions {
  sizes?: number[];
  /** viewing seconds per size; large N defaults shorter to bound run time */
  seconds?: (n: number) => number;
  /** runs (seeds) per size; large N defaults to one */
  runs?: (n: number) => number;
  sim?: Partial<SwarmSimOptions>;
  onRun?: (n: number, run: number, result: SwarmSimResult) => void;
  onResult?: (n: number, figures: Record<string, number>) => void;
  /**
   * Also N = 50 with a 4 s GOP (twice the start lead), as `swarm_sim_n50_gop4s_*`: the start rule's long-GOP
   * case, where the added lag must stay within the lead (default on; needs 50 in `sizes`).
   */
  longGop?: boolean;
  onLongGop?: (figures: Record<string, number>) => void;
  /**
   * Also N = 50 with 10% and 30% attackers of each kind (attack-bench.ts), as `swarm_sim_n50_attack*` and
   * `swarm_sim_attack_honest_evicted` (default on; needs 50 in `sizes`).
   */
  attacks?: boolean;
  onAttackRow?: AttackBenchOptions['onRow'];
}

/** The median of each figure over the runs, keyed `${prefix}${figure}`, with `${prefix}runs`. */
function mediansOf(prefix: string, each: Array<Record<string, number>>): Record<string, number> {
  const figures: Record<string, number> = { [`${prefix}runs`]: each.length };
  for (const name of Object.keys(each[0] ?? {})) figures[`${prefix}${name}`] = median(each.map((f) => f[name]!));
  return figures;
}

function median(values: number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function figuresOf(r: SwarmSimResult): Record<string, number> {
  return {
    offload: r.offload,
    limit: r.limit,
    ratio_to_limit: r.offload / r.limit,
    continuity: r.continuity,
    stalls: r.stalls,
    startup_ms_p50: r.startupMs.p50,
    startup_ms_p95: r.startupMs.p95,
    added_lag_ms_p50: r.addedLagMs.p50,
    added_lag_ms_p95: r.addedLagMs.p95,
    lag_ms_p50: r.lagMs.p50,
    lag_ms_p95: r.lagMs.p95,
    baseline_lag_ms_p50: r.baselineLagMs.p50,
    baseline_lag_ms_p95: r.baselineLagMs.p95,
    control_overhead_ratio: r.controlOverheadRatio,
    seed_fetches_per_chunk: r.seedFetches / Math.max(1, r.origin.lastSeq + 1),
    urgent_fetches_per_chunk: r.urgentFetches / Math.max(1, r.origin.lastSeq + 1),
    seconds: r.seconds,
    runtime_ms: r.wallMs,
  };
}

export async function runSwarmBench(options: SwarmBenchOptions = {}): Promise<Record<string, number>> {
  const sizes = options.sizes ?? [10, 50, 200, 1000];
  const seconds = options.seconds ?? ((n: number) => (n >= 1000 ? 40 : 120));
  const runs = options.runs ?? ((n: number) => (n >= 1000 ? 1 : 3));
  const out: Record<string, number> = {};
  for (const n of sizes) {
    const each: Array<Record<string, number>> = [];
    for (let run = 0; run < runs(n); run++) {
      const r = await runSwarmSimulation({ seed: run + 1, ...options.sim, peers: n, seconds: seconds(n) });
      options.onRun?.(n, run, r);
      each.push(figuresOf(r));
    }
    const figures = mediansOf(`swarm_sim_n${n}_`, each);
    options.onResult?.(n, figures);
    Object.assign(out, figures);
  }
  if ((options.longGop ?? true) && sizes.includes(50)) {
    const each: Array<Record<string, number>> = [];
    for (let run = 0; run < runs(50); run++) {
      const r = await runSwarmSimulation({
        seed: run + 1,
        ...options.sim,
        peers: 50,
        seconds: seconds(50),
        keyframeEveryMs: 4000,
      });
      each.push(figuresOf(r));
    }
    const figures = mediansOf('swarm_sim_n50_gop4s_', each);
    options.onLongGop?.(figures);
    Object.assign(out, figures);
  }
  if ((options.attacks ?? true) && sizes.includes(50)) {
    Object.assign(
      out,
      await runAttackBench({ seconds: seconds(50), runs: runs(50), sim: options.sim, onRow: options.onAttackRow }),
    );
  }
  return out;
}
