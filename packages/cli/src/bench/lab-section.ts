/**
 * The BENCHMARKS.md section of `npm run bench:lab` (e2e/nat/bench): long paths in the NAT lab, every
 * packet delayed. Figures not measured by a run say so instead of showing a number.
 */
import type { BenchSection } from './bench-section.js';

const ms = (v: number | undefined): string => (v === undefined ? '–' : `${Math.round(v)} ms`);
const pair = (a: number | undefined, b: number | undefined): string => `${ms(a)} / ${ms(b)}`;
const mbps = (v: number | undefined): string => (v === undefined ? '–' : `${v} MB/s`);

export function labSection(f: Record<string, number>): BenchSection | undefined {
  if (f.lab_ttff_rtt100_ms_p50 === undefined && f.lab_download_rtt100_MBps === undefined) return undefined;
  const ttffRows = (rtt: number): BenchSection['rows'] => [
    [
      `lab_ttff_rtt${rtt}_ms_p50 / p95`,
      pair(f[`lab_ttff_rtt${rtt}_ms_p50`], f[`lab_ttff_rtt${rtt}_ms_p95`]),
      `cone↔cone; goal ≤ ${2 * rtt + 100} / ${3 * rtt + 150} ms; baseline (HTTP-FLV, new TCP connection) ` +
        pair(f[`lab_ttff_direct_rtt${rtt}_ms_p50`], f[`lab_ttff_direct_rtt${rtt}_ms_p95`]),
    ],
    [
      `lab_ttff_relay_off_rtt${rtt}_ms_p50 / p95`,
      pair(f[`lab_ttff_relay_off_rtt${rtt}_ms_p50`], f[`lab_ttff_relay_off_rtt${rtt}_ms_p95`]),
      'cone↔cone with init({ startRelay: false }): every byte waits for ICE, DTLS and SCTP (baseline of the relay-first start)',
    ],
    [
      `lab_ttff_sym_rtt${rtt}_ms_p50 / p95`,
      pair(f[`lab_ttff_sym_rtt${rtt}_ms_p50`], f[`lab_ttff_sym_rtt${rtt}_ms_p95`]),
      'symmetric viewer ↔ cone camera (punched directly)',
    ],
  ];
  const liveRow = (rtt: number, relayOff = false): BenchSection['rows'][number] => {
    const key = `lab_live2m${relayOff ? '_relay_off' : ''}_rtt${rtt}`;
    return [
      `${key}_stalls`,
      f[`${key}_stalls`] === undefined
        ? 'not measured'
        : `${f[`${key}_stalls`]} stalls, longest gap ${ms(f[`${key}_max_gap_ms`])}`,
      (relayOff
        ? 'the same with init({ startRelay: false }) (P2P from the first byte: a stall here is the path, not the hand-over); '
        : '2 Mbit/s live source (a 10 s clip the camera loops) watched over P2P for 30 s (cone viewer); stall = over 500 ms between two video frames; ') +
        `frames the camera skipped and a path slower than the source show in the frames' lateness spread ${ms(f[`${key}_late_spread_ms`])} (the player buffer that never runs dry), ` +
        `received ${f[`${key}_kbps`] ?? '–'} kbit/s; goal: no stalls`,
    ];
  };
  const ratio = (p: number | undefined, t: number | undefined): string =>
    p !== undefined && t ? `${(p / t).toFixed(2)} × TCP (goal ≥ 0.7)` : '';
  return {
    title: '1v1 and 1vN on long paths (NAT lab)',
    method:
      '`npm run bench:lab`: the NAT lab (scripts/nat-lab, network namespaces) with the server and coturn (TURN over TCP in the server config) on the public side, the camera behind a ' +
      'cone NAT, viewers behind routers that hold every packet (UDP, TCP signalling, HTTP) for RTT/2 each way, so the viewer↔camera and viewer↔server round trips are the RTT. ' +
      '**Cold**: `startP2PService` → first complete video keyframe, with `init` done and its signalling open (relay-first start on: the first bytes come over the signalling connections, end-to-end encrypted, until P2P opens); ' +
      "baseline: `GET` of the camera's own HTTP-FLV endpoint over the same path on a new TCP connection. **Warm**: `startP2PStream` on a connected service. " +
      '**Download**: a 64 MiB file from the camera store, from the first byte to the last; baseline: curl of the same file from an HTTP server on the camera host ' +
      '(port-forwarded by its router), same path, same run. **1vN**: `xp2p publish` of the bundled sample to the origin, 8 peers (`startP2PService` on the live URL) in 8 ' +
      'namespaces at 20–100 ms RTT for 60 s; offload = 1 − origin bytes / bytes the peers received; continuity = 1 − late chunks / chunks out. ' +
      `Medians over the runs; machine load (1-min average) ${f.lab_load_start ?? '–'} at the start, ${f.lab_load_end ?? '–'} at the end on 2 cores.`,
    rows: [
      ...ttffRows(100),
      ...ttffRows(300),
      [
        'lab_warm_rtt100_ms_p50',
        ms(f.lab_warm_rtt100_ms_p50),
        `goal ≤ 150 ms; baseline (HTTP-FLV on a connection opened just before) ${ms(f.lab_warm_direct_rtt100_ms_p50)}; ` +
          `first byte ${ms(f.lab_warm_first_byte_rtt100_ms_p50)} (bytes reach the app as whole tags); 30 starts of 1–3 ` +
          'round trips: after an idle moment usrsctp sends at most 10 packets at once (TCP 10 segments), and the ' +
          "sample's ~19 KB keyframes need a second flight",
      ],
      [
        'lab_start_relay_bytes_p50',
        f.lab_start_relay_bytes_p50 !== undefined ? `${Math.round(f.lab_start_relay_bytes_p50)} B` : 'not measured',
        'cone viewer, 100 ms RTT: sealed bytes a cold start got over the signalling relay (camera → node → viewer) before it moved to P2P; bounded by the server (startRelay.maxBytes)',
      ],
      [
        'lab_download_rtt100_MBps',
        mbps(f.lab_download_rtt100_MBps),
        ratio(f.lab_download_rtt100_MBps, f.lab_tcp_rtt100_MBps),
      ],
      ['lab_tcp_rtt100_MBps', mbps(f.lab_tcp_rtt100_MBps), 'baseline'],
      [
        'lab_download_rtt300_MBps',
        mbps(f.lab_download_rtt300_MBps),
        ratio(f.lab_download_rtt300_MBps, f.lab_tcp_rtt300_MBps),
      ],
      ['lab_tcp_rtt300_MBps', mbps(f.lab_tcp_rtt300_MBps), 'baseline'],
      liveRow(100),
      liveRow(100, true),
      liveRow(300),
      liveRow(300, true),
      [
        'lab_ttff_udp_blocked_ms_p50',
        f.lab_ttff_udp_blocked_ms_p50 !== undefined ? ms(f.lab_ttff_udp_blocked_ms_p50) : 'not measured',
        `all UDP dropped at the viewer, 100 ms RTT: TURN over TCP (coturn) through the sdk's TURN stream bridge; ` +
          `runs on the relay: ${f.lab_ttff_udp_blocked_relay_runs ?? '–'}; goal: plays`,
      ],
      [
        'lab_swarm_n8',
        f.lab_swarm_n8_offload !== undefined
          ? `offload ${f.lab_swarm_n8_offload} (limit ${f.lab_swarm_n8_limit}), continuity ${f.lab_swarm_n8_continuity}, ` +
            `stalls ${f.lab_swarm_n8_stalls}, lag p50 ${ms(f.lab_swarm_n8_lag_ms_p50)}`
          : 'not measured',
        'added lag over an HTTP-FLV viewer: not measured (lag is behind the newest announced chunk)',
      ],
    ],
  };
}
