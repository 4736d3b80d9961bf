/**
 * BENCHMARKS.md rows of the hostile swarms (issue 13, `npm run bench:swarm`): N = 50 with 10% and 30% of
 * the peers attacking, one kind at a time, next to the same swarm without attackers.
 */
import { ATTACK_KINDS, ATTACK_SHARES, attackKey } from '@xp2p/sdk/node';
import { round } from './stats.js';

type Row = [name: string, value: number | string, note?: string];

export const SWARM_ATTACK_METHOD =
  '**Hostile swarms** (`npm run bench:swarm`): the same N=50 simulation with 10% or 30% of the peers attacking, one kind at a time: ' +
  '*poison* flips a byte in every piece it sends; *withhold* advertises what it holds but no piece it is asked for arrives; ' +
  '*lie* claims (`have`) every chunk the moment the origin announces it; *false-report* serves honestly but reports every neighbour it links with to the tracker. ' +
  'The tracker judges reports as the server does (a linked reporter, a quorum of more than a third of the swarm from distinct addresses). ' +
  'Continuity counts honest viewers only; offload is the whole swarm’s (attackers that every peer dropped fetch every chunk from the origin, and count), honest viewers’ offload theirs alone; evicted = peers the tracker removed.';

export function swarmAttackRows(figures: Record<string, number>): Row[] {
  if (figures[attackKey(50, 0.1, undefined, 'offload')] === undefined) return [];
  const rows: Row[] = [];
  const clean = `without attackers: offload ${round(figures.swarm_sim_n50_offload ?? NaN, 3)}, continuity ${round(figures.swarm_sim_n50_continuity ?? NaN, 4)}`;
  for (const share of ATTACK_SHARES) {
    const pct = Math.round(share * 100);
    for (const kind of ATTACK_KINDS) {
      const f = (figure: string) => figures[attackKey(50, share, kind, figure)] ?? NaN;
      rows.push([
        `${attackKey(50, share, kind, '').replace(/_$/, '')}`,
        `offload ${round(f('offload'), 3)} (honest viewers ${round(f('honest_offload'), 3)}), continuity ${round(f('continuity'), 4)}, evicted: ${f('honest_evicted')} honest, ${f('attackers_evicted')} attackers`,
        clean,
      ]);
    }
    const worst = (figure: string) => figures[attackKey(50, share, undefined, figure)] ?? NaN;
    rows.push([
      `swarm_sim_n50_attack${pct}_offload / continuity`,
      `${round(worst('offload'), 3)} / ${round(worst('continuity'), 4)} (worst kind)`,
      pct === 10 ? 'goal: offload ≥ 0.90, continuity ≥ 0.999' : 'goal: continuity ≥ 0.999',
    ]);
  }
  rows.push([
    'swarm_sim_attack_honest_evicted',
    figures.swarm_sim_attack_honest_evicted ?? NaN,
    'over all attack rows; goal 0',
  ]);
  return rows;
}
