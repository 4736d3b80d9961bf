/** The BENCHMARKS.md section of the camera agent under load (`xp2p bench-agent`). */
import type { AgentLoadResult } from './agent-load.js';
import type { BenchSection } from './bench-section.js';
import { round } from './stats.js';

/** Figures for bench/results.json. */
export function agentFigures(r: AgentLoadResult, viewers: number, seconds: number): Record<string, number> {
  return {
    agent_viewers: viewers,
    agent_seconds: seconds,
    agent_stream_mbps: round(r.streamMbps, 2),
    agent_viewer_mbps: round(r.viewerMbps, 2),
    agent_rss_mb_p50: round(r.rssMbP50, 1),
    agent_rss_mb_max: round(r.rssMbMax, 1),
    agent_cpu_percent: round(r.cpuPercent, 1),
    agent_recorded_mb: round(r.recordedBytes / 1e6, 1),
  };
}

export function agentSection(f: Record<string, number>): BenchSection[] {
  if (f.agent_rss_mb_max === undefined) return [];
  return [
    {
      title: 'Camera agent on a small board',
      method:
        `\`xp2p device\` as its own process looping a ${f.agent_stream_mbps} Mbit/s FLV (960x540 30 fps H.264 CBR, 1 s GOP, AAC; made once by ffmpeg, so the agent does no encoding), ` +
        `recording it (one-minute segments) and serving ${f.agent_viewers} live viewers (sdk modules in the bench process, one peer connection each, loopback) for ${f.agent_seconds} s after a 5 s warm-up. ` +
        'RSS (VmRSS) and CPU (utime + stime) read from /proc every second, from outside the process; CPU as a share of one core over the window; ' +
        'the agent runs as deploy/systemd/xp2p-camera@.service starts it (secret from a file, NODE_OPTIONS=--max-semi-space-size=2). `npm run bench:agent`. ' +
        'Where the memory goes (RSS of a bare Node process importing only that, 2026-12-05): Node 20 itself 43 MB, node-datachannel and its polyfill +12 MB, zod/mini +12 MB, the rest of protocol, device and ws +14 MB; ' +
        'each viewer’s peer connection a few MB. Before the cli loaded each command’s modules on demand, `xp2p device` also loaded the server package: 114 / 130 MB (p50 / max).',
      rows: [
        [
          'agent_rss_mb_p50 / max',
          `${f.agent_rss_mb_p50} / ${f.agent_rss_mb_max} MB`,
          'goal ≤ 80 MB (Raspberry Pi-class board)',
        ],
        ['agent_cpu_percent', `${f.agent_cpu_percent}% of one core`, 'goal ≤ 10%'],
        [
          'agent_viewer_mbps',
          `${f.agent_viewer_mbps} Mbit/s per viewer`,
          `stream ${f.agent_stream_mbps} Mbit/s: every viewer kept up`,
        ],
        ['agent_recorded_mb', `${f.agent_recorded_mb} MB`, 'recorded during the run'],
      ],
    },
  ];
}
