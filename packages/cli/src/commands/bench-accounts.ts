/**
 * `xp2p bench-accounts [--db postgres://…] [--users 100000] [--devices 10000]`: the accounts benchmark
 * (bench/accounts-bench.ts) on the embedded database, and on PostgreSQL when --db is given; writes its
 * figures into bench/results.json and BENCHMARKS.md, every other figure stays as it was.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runAccountsBench } from '../bench/accounts-bench.js';
import { writeResults } from '../bench/report.js';

export async function benchAccountsCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      users: { type: 'string', default: '100000' },
      devices: { type: 'string', default: '10000' },
      issues: { type: 'string', default: '500' },
      'sign-ins': { type: 'string', default: '100' },
      out: { type: 'string', default: '.' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const common = {
    users: Number(values.users),
    devices: Number(values.devices),
    issues: Number(values.issues),
    signIns: Number(values['sign-ins']),
    log: (line: string) => console.log(`  ${line}`),
  };
  // the 1-minute load average at the start: on a shared 2-core machine it explains most of the spread
  const figures: Record<string, number> = {
    accounts_users: common.users,
    accounts_devices: common.devices,
    accounts_loadavg_1m: Math.round(loadavg()[0]! * 10) / 10,
  };
  const engines: [string, string | undefined][] = [
    ['embedded', undefined],
    ...(values.db ? [['postgres', values.db] as [string, string]] : []),
  ];
  for (const [engine, db] of engines) {
    console.log(`accounts bench on ${engine}:`);
    const r = await runAccountsBench({ ...common, ...(db ? { db } : {}) });
    console.log(
      `  xp2pinfo p50/p95 ${r.xp2pinfoP50}/${r.xp2pinfoP95} ms (HTTP floor ${r.httpFloorP50}/${r.httpFloorP95}), sign-in p50/p95 ${r.signInP50}/${r.signInP95} ms`,
    );
    figures[`accounts_${engine}_xp2pinfo_ms_p50`] = r.xp2pinfoP50;
    figures[`accounts_${engine}_xp2pinfo_ms_p95`] = r.xp2pinfoP95;
    figures[`accounts_${engine}_http_floor_ms_p50`] = r.httpFloorP50;
    figures[`accounts_${engine}_http_floor_ms_p95`] = r.httpFloorP95;
    figures[`accounts_${engine}_signin_ms_p50`] = r.signInP50;
    figures[`accounts_${engine}_signin_ms_p95`] = r.signInP95;
    figures[`accounts_${engine}_populate_s`] = r.populateSeconds;
  }
  if (values['no-write']) return;
  writeResults(resolve(values.out), figures);
  console.log('updated the accounts_* figures in bench/results.json and BENCHMARKS.md');
}
