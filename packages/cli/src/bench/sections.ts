/**
 * BENCHMARKS.md, section by section, from the merged figures of bench/results.json: `npm run bench` and
 * `npm run bench:swarm` each write their own figures and the page always shows the latest of every one.
 */
import type { BenchSection } from './bench-section.js';
import { labSection } from './lab-section.js';
import { describePathFigures } from './path-counts.js';
import { SWARM_ATTACK_METHOD, swarmAttackRows } from './swarm-attack-rows.js';
import { round } from './stats.js';
import { clusterScaleSection } from './scale/section.js';
import { floodSections } from './flood-section.js';
import { sizeSection } from './size-section.js';
import { agentSection } from './agent-section.js';
import { accountsSection } from './accounts-section.js';
import { WEB_SIZE_BUDGETS } from '@xp2p/web';

export type { BenchSection } from './bench-section.js';

/** 1v1 TTFF: cold and warm P2P against direct HTTP-FLV, by phase. */
function ttffSection(figures: Record<string, number>): BenchSection {
  const runs = figures.ttff_runs;
  return {
    title: '1v1 time to first frame (TTFF), loopback',
    method:
      'Server and camera run as separate processes (`xp2p server`, `xp2p device --http-port 0`, bundled 30 fps sample, 1 s GOP). ' +
      '**Cold**: a fresh sdk module per run, `init()` then `startP2PService(..., dataCallback)` at once, until the first video keyframe tag is complete in `dataCallback` ' +
      "(signalling connect, offer/answer, ICE + DTLS + SCTP, request, GOP-cache start all inside). **Direct**: `GET` of the camera's own HTTP-FLV endpoint on a new TCP connection " +
      'until the first keyframe, interleaved with the cold runs. **Warm**: `startP2PStream` on an already connected service (pre-connect). **Direct keep-alive**: the same `GET` on a connection opened beforehand.',
    rows: [
      [
        'ttff_p2p_ms_p50 / p95',
        `${figures.ttff_p2p_ms_p50} / ${figures.ttff_p2p_ms_p95} ms`,
        'goal: p50 ≤ 100 ms, p95 ≤ 300 ms',
      ],
      ['ttff_direct_ms_p50 / p95', `${figures.ttff_direct_ms_p50} / ${figures.ttff_direct_ms_p95} ms`, 'baseline'],
      ['ttff_p2p_over_direct_p50', figures.ttff_p2p_over_direct_p50!, 'ratio'],
      ['phase: signalling connect', `${figures.ttff_p2p_phase_signalling_ms_p50} ms`, 'p50, WebSocket + app signature'],
      [
        'phase: offer → answer',
        `${figures.ttff_p2p_phase_offer_answer_ms_p50} ms`,
        'p50, through the server, camera checks the token',
      ],
      [
        'phase: answer → channel open',
        `${figures.ttff_p2p_phase_ice_dtls_sctp_ms_p50} / ${figures.ttff_p2p_phase_ice_dtls_sctp_ms_p95} ms`,
        'p50 / p95, ICE + DTLS + SCTP',
      ],
      [
        'phase: open → first byte',
        `${figures.ttff_p2p_phase_first_byte_ms_p50} ms`,
        'p50, request channel + response head',
      ],
      [
        'phase: first byte → first keyframe',
        `${figures.ttff_p2p_phase_first_keyframe_ms_p50} ms`,
        'p50, GOP cache sends it at once',
      ],
      ['ttff_path', describePathFigures(figures), 'selected ICE path of each cold run (host / srflx / relay)'],
      ['runs that needed a raced second attempt', figures.ttff_p2p_runs_needing_second_attempt!, `of ${runs}`],
      [
        'ttff_warm_ms_p50 / p95',
        `${figures.ttff_warm_ms_p50} / ${figures.ttff_warm_ms_p95} ms`,
        'goal: ≤ 1.5× direct keep-alive',
      ],
      [
        'ttff_direct_keepalive_ms_p50 / p95',
        `${figures.ttff_direct_keepalive_ms_p50} / ${figures.ttff_direct_keepalive_ms_p95} ms`,
        'baseline',
      ],
      ['ttff_warm_over_direct_keepalive_p50', figures.ttff_warm_over_direct_keepalive_p50!, 'ratio'],
    ],
  };
}

/** 1vN offload: the real 6-peer run and the simulator runs. */
function sharingSection(figures: Record<string, number>): BenchSection {
  return {
    title: '1vN sharing',
    method:
      '**Real**: `xp2p publish` pushes the bundled sample (~0.8 Mbit/s) to the origin; 6 sdk peers join over real WebRTC on loopback, 300 ms apart, and watch 25 s; offload = 1 − originBytes (counted by the origin) / bytes the peers received; the physical limit is 1 − 1/N. ' +
      '**Simulation** (`npm run bench:swarm`): the same engine over an in-memory network with virtual time (2 Mbit/s stream, 0.5 s chunks, 2 s GOP with keyframe chunks twice the average size, upload log-uniform 1.5–6× bitrate, 20% non-uploading, 10% mutually unreachable, access latency 10–40 ms one way, 1% loss costing a 300 ms retransmission, downlink 8–50 Mbit/s; viewers join over 5 s after 6 s of stream), 120 virtual s (40 s for N=1000), medians of the runs with different seeds. ' +
      "offload = 1 − origin chunk bytes / chunk bytes delivered to the players (ratio: offload / (1 − 1/N)); continuity = chunks handed out before their playback deadline; startup = join → first chunk out; lag = how long after the origin announced a chunk the peer plays it (absolute); baseline lag = the same for a plain HTTP-FLV viewer (the issue's baseline, as the origin's `GET /live/NAME.flv` serves it) on the same link that joined at the same moment, computed in the same run: its request reaches the origin after one way, the origin starts it at the newest keyframe chunk announced by then (whole chunks, as that endpoint writes them), and it plays once the init part and that chunk are in (round trip + bytes at its downlink rate); added lag = lag − baseline lag, per viewer, i.e. what P2P adds beyond the GOP-cache start both have. The P2P viewer starts at the newest keyframe chunk at least 2 s old (`startLeadMs`, the time every later chunk has to cross the mesh), so its added lag is about one GOP (2 s): it gets the init part and that chunk in one origin request (`GET /live/NAME/start?lead=2000`) sent with its tracker join, so its startup is the baseline's (one round trip + those bytes); a tag-level GOP cache (not this origin) would be up to one chunk (0.5 s) fresher than the baseline here. With a GOP longer than the lead + 0.5 s (row gop4s: the same network, 4 s GOP) the start is the newest keyframe instead, held until it is 2 s old, so the added lag stays within the lead rather than a whole GOP. control = control-message bytes / media bytes. " +
      SWARM_ATTACK_METHOD,
    rows: [
      [
        'swarm_real_n6_offload',
        `${figures.swarm_real_n6_offload} (limit ${figures.swarm_real_n6_limit}, ratio ${figures.swarm_real_n6_ratio_to_limit})`,
        'goal ≥ 0.75',
      ],
      ...[10, 50, 200, 1000]
        .filter((n) => figures[`swarm_sim_n${n}_offload`] !== undefined)
        .map((n): [string, string, string] => {
          const f = (name: string) => figures[`swarm_sim_n${n}_${name}`] ?? Number.NaN;
          return [
            `swarm_sim_n${n}`,
            `offload ${round(f('offload'), 3)} (limit ${round(f('limit'), 3)}, ratio ${round(f('offload') / f('limit'), 3)}), ` +
              `continuity ${round(f('continuity'), 4)}, startup p50/p95 ${Math.round(f('startup_ms_p50'))}/${Math.round(f('startup_ms_p95'))} ms, ` +
              `lag p50 ${Math.round(f('lag_ms_p50'))} ms (HTTP-FLV baseline ${Math.round(f('baseline_lag_ms_p50'))} ms), added lag p50/p95 ${Math.round(f('added_lag_ms_p50'))}/${Math.round(f('added_lag_ms_p95'))} ms, ` +
              `control ${round(f('control_overhead_ratio') * 100, 2)}%, ${f('runs') || 1} run(s)`,
            n === 50 ? 'goal: offload ≥ 0.96, continuity ≥ 0.999, added lag ≤ 2 s' : '',
          ];
        }),
      ...(figures.swarm_sim_n50_gop4s_offload === undefined
        ? []
        : [
            ((): [string, string, string] => {
              const f = (name: string) => figures[`swarm_sim_n50_gop4s_${name}`] ?? Number.NaN;
              return [
                'swarm_sim_n50_gop4s',
                `4 s GOP: offload ${round(f('offload'), 3)}, continuity ${round(f('continuity'), 4)}, ` +
                  `startup p50/p95 ${Math.round(f('startup_ms_p50'))}/${Math.round(f('startup_ms_p95'))} ms, ` +
                  `added lag p50/p95 ${Math.round(f('added_lag_ms_p50'))}/${Math.round(f('added_lag_ms_p95'))} ms, ${f('runs') || 1} run(s)`,
                'added lag within the 2 s lead, not a GOP (a fresher start is held)',
              ];
            })(),
          ]),
      ...swarmAttackRows(figures),
    ],
  };
}

/** The web app in Chromium and the signalling server under load. */
function browserAndSignallingSection(figures: Record<string, number>): BenchSection {
  return {
    title: 'Browser and signalling',
    method:
      '**Browser TTFF**: Debian Chromium (headless) opens the web app, which calls `startP2PService` and plays through mpegts.js; time to the first rendered frame, 10 runs. ' +
      "**Signalling load**: idle signed viewer WebSocket sessions against one server process, spread over 127.0.0.2–5; the count is capped by the container's open-file limit.",
    rows: [
      [
        'browser_ttff_ms_p50 / p95',
        figures.browser_ttff_ms_p50 !== undefined
          ? `${figures.browser_ttff_ms_p50} / ${figures.browser_ttff_ms_p95} ms`
          : 'not measured (web app not built)',
        '',
      ],
      ['signal_conns_max', figures.signal_conns_max ?? 'not measured', 'goal 50,000'],
      ['signal_rss_bytes_per_conn', figures.signal_rss_bytes_per_conn ?? 'not measured', 'goal: 50k under 1 GiB'],
      ['signal_joins_per_s', figures.signal_joins_per_s ?? 'not measured', 'goal ≥ 2,000/s'],
    ],
  };
}

/** 1v1 download throughput and command round trips. */
function downloadSection(figures: Record<string, number>): BenchSection {
  return {
    title: '1v1 download and commands, loopback',
    method:
      "A 200 MB file of random bytes in the camera's store. **P2P**: `startLocalDownload` over the data channel (the sdk hashes every byte as it arrives), median of 3. " +
      '**HTTP**: a plain Node HTTP server in the bench process serving the same file, `GET` on loopback, median of 3, interleaved. **Commands**: `sendCommand(get_device_st)` round trips on one connected service.',
    rows: [
      ['download_p2p_MBps', `${figures.download_p2p_MBps} MB/s`, 'goal ≥ 60 MB/s'],
      ['download_http_MBps', `${figures.download_http_MBps} MB/s`, 'baseline'],
      ['download_p2p_over_http', figures.download_p2p_over_http!, 'ratio'],
      ['command_rtt_ms_p50 / p95', `${figures.command_rtt_ms_p50} / ${figures.command_rtt_ms_p95} ms`, ''],
    ],
  };
}

export function benchSections(figures: Record<string, number>): BenchSection[] {
  return [
    ttffSection(figures),
    sharingSection(figures),
    accountsSection(figures),
    browserAndSignallingSection(figures),
    downloadSection(figures),
    ...clusterScaleSection(figures),
    ...floodSections(figures),
    ...sizeSection(figures, WEB_SIZE_BUDGETS),
    ...agentSection(figures),
    ...[labSection(figures)].filter((s): s is BenchSection => s !== undefined),
  ];
}
