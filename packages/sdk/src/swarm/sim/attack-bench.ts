/**
 * Hostile swarms, measured (issue 13): N = 50 on the benchmark's network with 10% and 30% of the peers
 * attacking, each attack kind alone (sim-types.ts AttackKind: poison, withhold, lie, false-report), medians
 * over the runs. Figures, next to the same swarm without attackers (swarm_sim_n50_*):
 * - swarm_sim_n50_attack{10,30}_{kind}_{offload,continuity,honest_evicted,attackers_evicted} per row;
 * - swarm_sim_n50_attack{10,30}_{offload,continuity}: the worst kind at that share (lowest figure);
 * - swarm_sim_attack_honest_evicted: honest peers the tracker evicted, over all attack rows.
 * Continuity counts honest viewers only; offload is the swarm's (attackers' downloads included, as the
 * origin serves them too: once dropped by everyone they fetch every chunk from it), honest_offload the
 * honest viewers' alone.
 */
import { runSwarmSimulation, type SwarmSimOptions } from './run-simulation.js';
import type { AttackKind } from './sim-types.js';

export const ATTACK_KINDS: readonly AttackKind[] = ['poison', 'withhold', 'lie', 'false-report'];
export const ATTACK_SHARES: readonly number[] = [0.1, 0.3];

export interface AttackBenchOptions {
  peers?: number;
  seconds: number;
  runs: number;
  sim?: Partial<SwarmSimOptions>;
  /** each row's medians, as they are measured */
  onRow?: (kind: AttackKind, share: number, figures: AttackRowFigures) => void;
}

export interface AttackRowFigures {
  offload: number;
  honest_offload: number;
  continuity: number;
  honest_evicted: number;
  attackers_evicted: number;
}

/** The figure name of an attack row: swarm_sim_n50_attack10_false_report_offload. */
export const attackKey = (peers: number, share: number, kind: AttackKind | undefined, figure: string): string =>
  `swarm_sim_n${peers}_attack${Math.round(share * 100)}_${kind ? `${kind.replace('-', '_')}_` : ''}${figure}`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function runAttackBench(o: AttackBenchOptions): Promise<Record<string, number>> {
  const peers = o.peers ?? 50;
  const out: Record<string, number> = {};
  let honestEvicted = 0;
  for (const share of ATTACK_SHARES) {
    let worstOffload = Infinity;
    let worstContinuity = Infinity;
    for (const kind of ATTACK_KINDS) {
      const each: AttackRowFigures[] = [];
      for (let run = 0; run < o.runs; run++) {
        const r = await runSwarmSimulation({
          seed: run + 1,
          ...o.sim,
          peers,
          seconds: o.seconds,
          attackers: Math.round(peers * share),
          attackKind: kind,
        });
        each.push({
          offload: r.offload,
          honest_offload: r.honestOffload,
          continuity: r.continuity,
          honest_evicted: r.honestEvicted,
          attackers_evicted: r.attackersEvicted,
        });
      }
      const row: AttackRowFigures = {
        offload: median(each.map((f) => f.offload)),
        honest_offload: median(each.map((f) => f.honest_offload)),
        continuity: median(each.map((f) => f.continuity)),
        honest_evicted: median(each.map((f) => f.honest_evicted)),
        attackers_evicted: median(each.map((f) => f.attackers_evicted)),
      };
      for (const [figure, value] of Object.entries(row)) out[attackKey(peers, share, kind, figure)] = value;
      worstOffload = Math.min(worstOffload, row.offload);
      worstContinuity = Math.min(worstContinuity, row.continuity);
      // any run's evictions count: the goal is none at all
      honestEvicted += Math.max(...each.map((f) => f.honest_evicted));
      o.onRow?.(kind, share, row);
    }
    out[attackKey(peers, share, undefined, 'offload')] = worstOffload;
    out[attackKey(peers, share, undefined, 'continuity')] = worstContinuity;
  }
  out.swarm_sim_attack_honest_evicted = honestEvicted;
  return out;
}
