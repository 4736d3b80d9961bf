/** The BENCHMARKS.md section of the cluster scale bench (`npm run bench:scale`). */
import type { BenchSection } from '../bench-section.js';

export function clusterScaleSection(figures: Record<string, number>): BenchSection[] {
  if (figures.signal_cluster_sessions === undefined) return [];
  const f = (name: string): number | string => figures[`signal_cluster_${name}`] ?? 'not measured';
  return [
    {
      title: 'Signalling across cluster nodes',
      method:
        '`npm run bench:scale`: idle app-signed viewer WebSocket sessions spread evenly over several server nodes (each its own process, ' +
        'sharing one real redis-server and one PostgreSQL for accounts, as `xp2p server --redis --db` runs), opened by one load-client process per node over 127.0.0.2–9 (one source address runs out of ephemeral ports near 28k; ' +
        'one process cannot hold 50,000 sockets under the hard open-file limit of 20,000). A camera is logged in to the first node; ' +
        'a command sent through the last node (relayed by Redis) is repeated every few seconds while the sessions join, and once more with all of them held. ' +
        'RSS per session = summed node RSS after − before, over the sessions; Redis per session = `used_memory` after − before: an idle viewer has no state in Redis; the cluster-wide replay cache holds one nonce per signed join only until the signature window ends, so after a join phase longer than that window the figure is what stays, not the peak. ' +
        `Measured on 2 shared cores at load average ${f('load_average')}.`,
      rows: [
        ['signal_cluster_sessions', f('sessions'), `over ${f('nodes')} nodes (signal_cluster_nodes); goal 100,000`],
        ['signal_cluster_rss_bytes_per_session', f('rss_bytes_per_session'), 'node RSS, summed'],
        ['signal_cluster_redis_bytes_per_session', f('redis_bytes_per_session'), 'Redis used_memory'],
        ['signal_cluster_joins_per_s', f('joins_per_s'), `all nodes together; ${f('failed_joins')} joins failed`],
        [
          'signal_cluster_command_ok',
          f('command_ok'),
          `1 = all cross-node commands round-tripped during the load; ${f('commands_failed')} of ${f('commands')} failed (a whole xp2p cmd run: p50 ${f('command_ms_p50')} ms, slowest ${f('command_ms_max')} ms, cap 120 s)`,
        ],
      ],
    },
  ];
}
