/**
 * The figures `xp2p bench` writes to bench/results.json, from what its runs measured. Pure: the runs
 * happen in commands/bench.ts, the page is written by report.ts.
 */
import type { SignalLoadResult } from '@xp2p/server';
import type { BrowserTtffResult } from '@xp2p/web';
import { pathFigures } from './path-counts.js';
import { percentile, round } from './stats.js';
import type { RealSwarmResult } from './swarm-real.js';
import type { ColdRun } from './ttff.js';

/** 1v1 samples, each list one figure per run. */
export interface OneToOneRuns {
  runs: number;
  cold: ColdRun[];
  direct: number[];
  warm: number[];
  directKeepAlive: number[];
  downloadP2p: number[];
  downloadHttp: number[];
  rtt: number[];
}

/** 1vN and load results; the optional ones are missing when that bench was skipped or failed. */
export interface OneToManyRuns {
  swarmReal: RealSwarmResult;
  browser: BrowserTtffResult | undefined;
  swarmSim: Record<string, number>;
  /** floodFigures of the abuse floods against the server */
  flooded: Record<string, number>;
  load: SignalLoadResult | undefined;
}

const p = (xs: number[], q: number): number => round(percentile(xs, q));

export function oneToOneFigures(r: OneToOneRuns): Record<string, number> {
  const pick = (k: Exclude<keyof ColdRun, 'path'>) => r.cold.map((run) => run[k]);
  return {
    ttff_p2p_ms_p50: p(pick('total'), 50),
    ttff_p2p_ms_p95: p(pick('total'), 95),
    ttff_direct_ms_p50: p(r.direct, 50),
    ttff_direct_ms_p95: p(r.direct, 95),
    ttff_p2p_over_direct_p50: round(percentile(pick('total'), 50) / percentile(r.direct, 50), 2),
    ttff_p2p_phase_signalling_ms_p50: p(pick('signalling'), 50),
    ttff_p2p_phase_offer_answer_ms_p50: p(pick('offerToAnswer'), 50),
    ttff_p2p_phase_ice_dtls_sctp_ms_p50: p(pick('ice'), 50),
    ttff_p2p_phase_ice_dtls_sctp_ms_p95: p(pick('ice'), 95),
    ttff_p2p_phase_first_byte_ms_p50: p(pick('firstByte'), 50),
    ttff_p2p_phase_first_keyframe_ms_p50: p(pick('firstKeyframe'), 50),
    ttff_p2p_runs_needing_second_attempt: r.cold.filter((run) => run.attempts > 1).length,
    ...pathFigures(r.cold.map((run) => run.path)),
    ttff_warm_ms_p50: p(r.warm, 50),
    ttff_warm_ms_p95: p(r.warm, 95),
    ttff_direct_keepalive_ms_p50: p(r.directKeepAlive, 50),
    ttff_direct_keepalive_ms_p95: p(r.directKeepAlive, 95),
    ttff_warm_over_direct_keepalive_p50: round(percentile(r.warm, 50) / percentile(r.directKeepAlive, 50), 2),
    ttff_runs: r.runs,
    download_p2p_MBps: p(r.downloadP2p, 50),
    download_http_MBps: p(r.downloadHttp, 50),
    download_p2p_over_http: round(percentile(r.downloadP2p, 50) / percentile(r.downloadHttp, 50), 2),
    command_rtt_ms_p50: p(r.rtt, 50),
    command_rtt_ms_p95: p(r.rtt, 95),
  };
}

export function oneToManyFigures({
  swarmReal,
  browser,
  swarmSim,
  flooded,
  load,
}: OneToManyRuns): Record<string, number> {
  return {
    swarm_real_n6_offload: round(swarmReal.offload, 3),
    swarm_real_n6_limit: round(swarmReal.limit, 3),
    swarm_real_n6_ratio_to_limit: round(swarmReal.offload / swarmReal.limit, 3),
    swarm_real_n6_stalls: swarmReal.stalls,
    ...(browser
      ? {
          browser_ttff_ms_p50: round(browser.p50Ms),
          browser_ttff_ms_p95: round(browser.p95Ms),
          browser_ttff_failures: browser.failures,
        }
      : {}),
    ...Object.fromEntries(Object.entries(swarmSim).map(([k, v]) => [k, round(v, 4)])),
    ...flooded,
    ...(load
      ? {
          signal_conns_max: load.signal_conns_max,
          signal_rss_bytes_per_conn: Math.round(load.signal_rss_bytes_per_conn),
          signal_joins_per_s: Math.round(load.signal_joins_per_s),
        }
      : {}),
  };
}
