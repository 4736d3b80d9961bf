/**
 * The swarm benchmark: the simulator at N = 10, 50, 200, 1000 with the default (realistic) network, as
 * flat figures `swarm_sim_n{N}_{figure}` for the bench report.
 */
import { runSwarmSimulation, type SwarmSimOptions } from './run-simulation.js';

export interface SwarmBenchOptions {
  sizes?: number[];
  /** viewing seconds per size; large N defaults shorter to bound run time */
  seconds?: (n: number) => number;
  sim?: Partial<SwarmSimOptions>;
  onResult?: (n: number, figures: Record<string, number>) => void;
}

export async function runSwarmBench(options: SwarmBenchOptions = {}): Promise<Record<string, number>> {
  const sizes = options.sizes ?? [10, 50, 200, 1000];
  const seconds = options.seconds ?? ((n: number) => (n >= 1000 ? 40 : 120));
  const out: Record<string, number> = {};
  for (const n of sizes) {
    const r = await runSwarmSimulation({ ...options.sim, peers: n, seconds: seconds(n) });
    const k = `swarm_sim_n${n}_`;
    const figures: Record<string, number> = {
      [`${k}offload`]: r.offload,
      [`${k}limit`]: r.limit,
      [`${k}continuity`]: r.continuity,
      [`${k}stalls`]: r.stalls,
      [`${k}startup_ms_p50`]: r.startupMs.p50,
      [`${k}startup_ms_p95`]: r.startupMs.p95,
      [`${k}added_lag_ms_p50`]: r.addedLagMs.p50,
      [`${k}added_lag_ms_p95`]: r.addedLagMs.p95,
      [`${k}lag_ms_p50`]: r.lagMs.p50,
      [`${k}control_overhead_ratio`]: r.controlOverheadRatio,
      [`${k}seconds`]: r.seconds,
      [`${k}runtime_ms`]: r.wallMs,
    };
    options.onResult?.(n, figures);
    Object.assign(out, figures);
  }
  return out;
}
