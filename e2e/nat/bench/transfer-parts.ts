/**
 * The throughput parts of `npm run bench:lab` on one round-trip time: a 64 MiB download over P2P next to
 * curl of the same file over TCP on the same path, and a 2 Mbit/s live stream watched over P2P.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LabHost } from '../lab.js';
import { CLI } from '../lab-system.js';
import { LIVE_SOURCE_KBPS } from '../live-source.js';
import { finished, percentile, round1, type LabBenchRig } from './lab-bench-rig.js';

const LIVE_WATCH = fileURLToPath(new URL('./live-watch-process.mjs', import.meta.url));

export const DOWNLOAD_FILE = 'lab-bench.bin';
export const DOWNLOAD_BYTES = 64 * 1024 * 1024;
/** the plain HTTP file server on the camera host (the download baseline), port-forwarded by its router */
export const FILE_PORT = 8080;
/** the camera's channel 1: a 2 Mbit/s live source (LIVE_SOURCE_KBPS) for the live row */
export const LIVE_CHANNEL = 1;
/** Runs `xp2p bench-path` in a viewer's namespace (the cone viewer's by default). */
export function benchPath(r: LabBenchRig, args: string[], timeoutMs: number, host: LabHost = r.viewer) {
  const { lab, sys } = r;
  return finished(
    lab.start(host.ns, [
      ...[CLI, 'bench-path', r.device, '--server', sys.serverUrl, '--data', sys.dataDir, '--bind', host.ip],
      ...['--insecure', ...args],
    ]),
    timeoutMs,
  );
}

async function tcpMBps(r: LabBenchRig): Promise<number | undefined> {
  const out = await r.lab
    .exec(r.viewer.ns, 'curl', [
      ...['-s', '-o', '/dev/null', '-w', '%{size_download} %{time_starttransfer} %{time_total}'],
      `http://${r.camera.publicIp}:${FILE_PORT}/`,
    ])
    .catch(() => '');
  const [size, start, total] = out.trim().split(' ').map(Number) as [number, number, number];
  return size === DOWNLOAD_BYTES ? size / (total - start) / 1e6 : undefined;
}

/** UDP datagrams the kernel dropped in `ns` because a socket's receive (or send) buffer was full (/proc/net/snmp). */
async function udpBufferDrops(r: LabBenchRig, ns: string, field = 'RcvbufErrors'): Promise<number> {
  const lines = (await r.lab.exec(ns, 'cat', ['/proc/net/snmp'])).split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/));
  const at = names?.indexOf(field) ?? -1;
  return at > 0 ? Number(values?.[at]) : Number.NaN;
}

/** The drops on both ends of a download: what costs SCTP its window when no router drops anything. */
async function dropCounts(r: LabBenchRig): Promise<number[]> {
  return Promise.all([
    udpBufferDrops(r, r.viewer.ns),
    udpBufferDrops(r, r.camera.ns),
    udpBufferDrops(r, r.camera.ns, 'SndbufErrors'),
  ]);
}

/** `runs` downloads, each right after a TCP baseline: lab_download_rtt<RTT>_MBps and lab_tcp_rtt<RTT>_MBps. */
export async function downloadPart(r: LabBenchRig, rtt: number, runs: number): Promise<void> {
  const p2p: number[] = [];
  const tcp: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = await tcpMBps(r);
    if (t !== undefined) tcp.push(t);
    // the viewer's UDP socket overflowing (its thread starved of CPU) is what costs SCTP its window
    const dropsBefore = await dropCounts(r);
    const d = await benchPath(r, ['--runs', '0', '--download', DOWNLOAD_FILE], 900_000);
    const [viewerDrops, cameraDrops, cameraSendDrops] = (await dropCounts(r)).map((n, k) => n - dropsBefore[k]!);
    const mbps = d.flatMap((e) => (typeof e.download === 'number' ? [e.download] : []));
    p2p.push(...mbps);
    const errors = d.flatMap((e) => (e.error ? [String(e.error)] : []));
    r.log.push(
      `RTT ${rtt} download ${i + 1}: p2p ${mbps[0]?.toFixed(2)} MB/s, tcp ${t?.toFixed(2)} MB/s, ` +
        `UDP buffer drops: viewer receive ${viewerDrops}, camera receive ${cameraDrops} / send ${cameraSendDrops}, load ${loadavg()[0]!.toFixed(1)}${errors.length ? `, errors: ${errors.join('; ')}` : ''}`,
    );
  }
  r.figures[`lab_download_rtt${rtt}_MBps`] = round1(percentile(p2p, 50));
  r.figures[`lab_tcp_rtt${rtt}_MBps`] = round1(percentile(tcp, 50));
}

/**
 * The 2 Mbit/s live source watched over P2P for `seconds`, as an app starts it (relay-first) and with the
 * relay-first start off (P2P from the first byte, so a stall at the hand-over and one on the path tell
 * apart): lab_live2m[_relay_off]_rtt<RTT>_max_gap_ms (the longest wait between two video frames), _stalls
 * (waits over 500 ms), _late_spread_ms (the player buffer that never runs dry) and _kbps.
 */
export async function livePart(r: LabBenchRig, rtt: number, seconds: number): Promise<void> {
  for (const startRelay of [true, false]) {
    const live = await watchLive(r, seconds, startRelay);
    const how = startRelay ? '' : ', start relay off';
    r.log.push(`RTT ${rtt} live ${LIVE_SOURCE_KBPS} kbit/s for ${seconds} s${how}: ${JSON.stringify(live)}`);
    if (!('frames' in live) || live.frames === 0) continue;
    const key = `lab_live2m${startRelay ? '' : '_relay_off'}_rtt${rtt}`;
    r.figures[`${key}_max_gap_ms`] = live.maxGapMs;
    r.figures[`${key}_stalls`] = live.stalls;
    r.figures[`${key}_late_spread_ms`] = live.lateSpreadMs;
    r.figures[`${key}_kbps`] = live.kbps;
  }
}

interface LiveWatch {
  frames: number;
  maxGapMs: number;
  stalls: number;
  lateSpreadMs?: number;
  kbps: number;
}

async function watchLive(r: LabBenchRig, seconds: number, startRelay: boolean) {
  const [productId, deviceName] = r.device.split('/') as [string, string];
  const events = await finished(
    r.lab.start(r.viewer.ns, [
      LIVE_WATCH,
      JSON.stringify({
        server: r.sys.serverUrl,
        appParams: r.sys.appParams,
        productId,
        deviceName,
        params: `action=live&channel=${LIVE_CHANNEL}&quality=high`,
        durationMs: seconds * 1000,
        bindAddress: r.viewer.ip,
        startRelay,
      }),
    ]),
    seconds * 1000 + 60_000,
  );
  return (events.find((e) => e.live)?.live as LiveWatch | undefined) ?? { events };
}
