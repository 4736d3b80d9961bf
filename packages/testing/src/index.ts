/**
 * @xp2p/testing: what the tests of every package and the whole-system tests (e2e/) share. Private, never a
 * dependency of production code (eslint.config.js refuses the import outside tests). This entry point needs
 * only Node; the helpers that start a part of the system are under their own names:
 * `@xp2p/testing/server`, `@xp2p/testing/device`, `@xp2p/testing/nat`.
 */
export { waitUntil, WaitTimeoutError, type WaitOptions } from './wait-until.js';
export { watchLines, type ProcessLines } from './line-waiter.js';
export { expectNoLeaks, resourcesAbove, snapshotResources, type ResourceSnapshot } from './leaks.js';
export {
  decodeErrors,
  probeFlv,
  probePackets,
  trimToWholeTags,
  wholeTags,
  type FlvProbe,
  type ProbedPacket,
} from './media.js';
export { parsePrometheusText, type Samples } from './prometheus-text.js';
export { makeTestCa, type TestCa } from './test-certificates.js';
export { freePort } from './free-port.js';
export { AV_FLV_FIXTURE, XP2P_CLI } from './paths.js';
export { startPostgres, type PostgresProcess } from './postgres-process.js';
