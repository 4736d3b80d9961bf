/** The floods section of BENCHMARKS.md (figures from bench/floods.ts). */
import type { BenchSection } from './bench-section.js';

const FLOODS: [key: string, what: string][] = [
  ['idle_tcp', 'idle TCP connections (connect, send nothing)'],
  ['slow_http', 'slow HTTP clients (headers one byte per 500 ms)'],
  ['ws_garbage', 'WebSockets sending 64 random bytes every 10 ms, reconnecting when cut'],
  ['ws_noread', 'WebSockets that complete the upgrade and never read'],
];

export function floodSections(f: Record<string, number>): BenchSection[] {
  if (f.flood_baseline_rss_mb === undefined) return [];
  return [
    {
      title: 'Floods against one server',
      method:
        '`xp2p bench` (alone: `xp2p bench --only-floods`): each flood runs 13 s (past the 10 s header and login deadlines) against one `xp2p server` process with a camera logged in, ' +
        'from 40 loopback source addresses (127.0.1.x) so the per-address join limit alone does not stop it. 2 s into each, a viewer ' +
        'fetches an xp2pInfo (signed API) and connects to the camera over P2P and sends one command; the server process RSS is sampled ' +
        `every 250 ms (before the floods: ${f.flood_baseline_rss_mb} MB). "held at the end": the flood's connections the server still had open ` +
        'when it ended (counted with `ss` on the server side: a client that reads nothing never sees its connection cut).',
      rows: FLOODS.flatMap(([k, what]) => [
        [
          `flood_${k}`,
          `${f[`flood_${k}_connections`]} conns, ${f[`flood_${k}_held_at_end`]} held at the end`,
          what,
        ] as [string, string, string],
        [
          `  xp2pInfo / command`,
          `${f[`flood_${k}_xp2pinfo_ms`]} ms / ${f[`flood_${k}_command_ok`] ? `${f[`flood_${k}_command_ms`]} ms` : 'FAILED'}`,
          'command: connect + round trip over P2P',
        ] as [string, string, string],
        [`  server RSS peak`, `${f[`flood_${k}_peak_rss_mb`]} MB`, 'bounded'] as [string, string, string],
      ]),
    },
  ];
}
