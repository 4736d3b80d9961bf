/**
 * Tuning for capacity benches (signalling load, cluster scale): they measure how many sessions a node holds,
 * not the join-rate policy, so the per-node, per-address and per-app budgets are lifted.
 */
import type { ServerTuning } from '../defaults.js';

/** Join-rate and replay-cache budgets lifted far beyond any bench's load. */
export const CAPACITY_BENCH_TUNING: Readonly<Partial<ServerTuning>> = Object.freeze({
  joinsPerSecond: 1e9,
  joinBurst: 1e9,
  joinsPerSecondPerAddress: 1e9,
  joinBurstPerAddress: 1e9,
  appJoinsPerSecond: 1e9,
  appJoinBurst: 1e9,
  maxConnectionsPerApp: 1e9,
  maxRememberedNonces: 1_000_000,
  maxRememberedNoncesPerApp: 1_000_000,
});
