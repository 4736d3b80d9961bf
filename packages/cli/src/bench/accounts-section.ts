/** The bench report's accounts section: xp2pInfo issue and sign-in against the accounts database at scale. */
import type { BenchSection } from './bench-section.js';

export function accountsSection(figures: Record<string, number>): BenchSection {
  return {
    title: 'Accounts at scale',
    method:
      '`xp2p bench-accounts --db postgres://…`: the accounts database holds ' +
      `${figures.accounts_users ?? 100000} users and ${figures.accounts_devices ?? 10000} devices (every user bound to one device). ` +
      '**xp2pInfo issue**: a signed `POST /api/xp2pinfo` for a user bound to an online device, sent one at a time to the real HTTP server in-process (app, device, user and binding lookups, token signing, audit row; the client signs too). ' +
      '**Sign-in**: the password check of a sign-in, user lookup + scrypt (N=2^14, r=8, p=1, 16 MiB): that hash is most of the cost, on purpose. PostgreSQL 15 runs on the same machine (loopback, fsync off). ' +
      `Load average (1 min) when the run started: ${figures.accounts_loadavg_1m ?? 'not recorded'} on 2 cores shared with other work.`,
    rows: (['embedded', 'postgres'] as const).flatMap((engine): [string, string, string][] =>
      figures[`accounts_${engine}_xp2pinfo_ms_p95`] === undefined
        ? []
        : [
            [
              `accounts_${engine}_xp2pinfo_ms_p50 / p95`,
              `${figures[`accounts_${engine}_xp2pinfo_ms_p50`]} / ${figures[`accounts_${engine}_xp2pinfo_ms_p95`]} ms`,
              `goal: p95 ≤ 5 ms; baseline (unsigned GET /api/server-info, same loop, no database) ` +
                `${figures[`accounts_${engine}_http_floor_ms_p50`] ?? '-'} / ${figures[`accounts_${engine}_http_floor_ms_p95`] ?? '-'} ms`,
            ],
            [
              `accounts_${engine}_signin_ms_p50 / p95`,
              `${figures[`accounts_${engine}_signin_ms_p50`]} / ${figures[`accounts_${engine}_signin_ms_p95`]} ms`,
              'goal: p95 ≤ 100 ms (scrypt is the cost)',
            ],
          ],
    ),
  };
}
