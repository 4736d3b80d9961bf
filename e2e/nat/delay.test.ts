/**
 * A 1v1 session over a long path, in the NAT lab (lab.ts): a viewer and a camera, each behind its own
 * port-restricted NAT, with 100 ms added each way at the viewer's router and 50 ms at the camera's
 * (`setDelay`: NFQUEUE + delay/nfq-delay.c, only the UDP the peers exchange), so the peer path's round trip
 * is about 300 ms.
 * - Live: the stream decodes, the heartbeat (ping 500 ms, path lost after 2 s of silence) never takes the
 *   delay for a broken path (no reconnect, no disconnect), and TTFF stays within a few round trips of the
 *   same pair without delay.
 * - A download arrives byte-identical; its rate is reported.
 * - Delay and 5% loss together: live decodes, the download is byte-identical.
 * The round trip the lab really adds is measured with a UDP echo before anything else is asserted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, probePackets } from '@xp2p/testing';
import { createNatLab, jsonLines, PUBLIC_IP, type LabHost, type NatLab } from './lab.js';
import { CLI, LAB_PRODUCT, startLabSystem, startLabViewer, tearDownLab, type LabSystem } from './lab-system.js';

const VIEWER_DELAY_MS = 100;
const CAMERA_DELAY_MS = 50;
/** what the delays add to the viewer↔camera round trip: each router holds both directions */
const ADDED_RTT_MS = 2 * (VIEWER_DELAY_MS + CAMERA_DELAY_MS);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let lab: NatLab;
let sys: LabSystem;
let viewer: LabHost;
let camera: LabHost;
const work = mkdtempSync(join(tmpdir(), 'xp2p-delay-'));
const report: string[] = [];

beforeAll(async () => {
  lab = await createNatLab(['pr', 'pr']);
  [viewer, camera] = lab.hosts as [LabHost, LabHost];
  sys = await startLabSystem(lab, [camera]);
}, 120_000);

afterAll(() => tearDownLab(lab, sys, work, `NAT lab, delay`, report), 60_000);

interface LiveRun {
  result: number;
  firstByteMs: number;
  connectMs: number;
  frames: number;
  decodeErrors: string;
  bytes: number;
  maxGapMs: number;
  recoveries: unknown[];
  disconnected: boolean;
  unhandled: boolean;
  path: string;
  /** the relay-first start's hand-over to P2P (`startRelayHandedOver`), when there was one */
  handOver: string;
}

/**
 * One live view of `durationMs` from the viewer host: what happened, asserted on by the caller after reporting.
 * `startRelay`: init's option (relay-first start, the sdk's default).
 */
async function watch(name: string, durationMs: number, startRelay = true): Promise<LiveRun> {
  const out = join(work, `${name}.flv`);
  // XP2P_DELAY_DEBUG=1: libdatachannel's log and the signalling in the viewer's output, kept in a file
  const debug: Record<string, string> = process.env.XP2P_DELAY_DEBUG ? { XP2P_ICE_LOG: '1' } : {};
  const p = startLabViewer(lab, sys, viewer, camera, { out, durationMs, startRelay }, debug);
  await p.waitForLine(/"done":true/, durationMs + 30_000);
  await p.exited;
  if (process.env.XP2P_DELAY_DEBUG) writeFileSync(join(tmpdir(), `xp2p-delay-${name}.log`), p.lines.join('\n'));
  const events = jsonLines(p);
  const result = events.find((e) => 'result' in e) as { result: number; connectMs: number } | undefined;
  const done = events.find((e) => e.done) as { bytes: number; maxGapMs: number };
  const stats = events.find((e) => 'stats' in e)?.stats as { recoveries: unknown[]; path: string | null } | undefined;
  return {
    result: result?.result ?? NaN,
    firstByteMs: (events.find((e) => 'firstByteMs' in e) as { firstByteMs: number } | undefined)?.firstByteMs ?? NaN,
    connectMs: result?.connectMs ?? NaN,
    frames: (await probePackets(out).catch(() => [])).filter((pk) => pk.codec_type === 'video').length,
    decodeErrors: await decodeErrors(out),
    bytes: done.bytes,
    maxGapMs: done.maxGapMs,
    recoveries: stats?.recoveries ?? [],
    disconnected: events.some((e) => e.notify === 'disconnect'),
    unhandled: events.some((e) => 'unhandledRejection' in e),
    path: String(stats?.path),
    handOver: JSON.stringify(events.find((e) => e.sdkEvent === 'startRelayHandedOver') ?? null),
  };
}

/** It connected, nothing went wrong in the sdk, and the FLV decodes with at least `minFrames` video frames. */
function expectDecodes(run: LiveRun, minFrames: number): void {
  expect(run.result, 'startP2PService result').toBe(0);
  expect(run.unhandled, 'unhandled rejection in the viewer').toBe(false);
  expect(run.decodeErrors, 'ffmpeg decode errors').toBe('');
  expect(run.frames).toBeGreaterThanOrEqual(minFrames);
}

/**
 * Downloads `name` from the camera's recordings with `xp2p download`: the whole time (process start, NAT
 * probe, connect, transfer), the time from the first byte on disk to the end, and the saved bytes.
 */
async function download(name: string): Promise<{ ms: number; transferMs: number; bytes: Buffer }> {
  const saved = join(work, `got-${name}`);
  const t0 = performance.now();
  const dl = lab.start(viewer.ns, [
    ...[CLI, 'download', `${LAB_PRODUCT}/${sys.cameraName(camera)}`, name, '-o', saved],
    ...['--server', sys.serverUrl, '--data', sys.dataDir, '--bind', viewer.ip, '--insecure'],
  ]);
  // the CLI writes each chunk as it arrives: the file growing is the transfer starting
  let firstByteAt = NaN;
  const watcher = setInterval(() => {
    if (Number.isNaN(firstByteAt) && existsSync(saved) && statSync(saved).size > 0) firstByteAt = performance.now();
  }, 20);
  try {
    await dl.waitForLine(/^saved /, 60_000);
    await dl.exited;
  } finally {
    clearInterval(watcher);
  }
  const end = performance.now();
  return { ms: Math.round(end - t0), transferMs: Math.round(end - firstByteAt), bytes: readFileSync(saved) };
}

function putRecording(name: string, size: number): Uint8Array {
  const file = new Uint8Array(randomBytes(size));
  const store = join(sys.dataDir, 'recordings', `${LAB_PRODUCT}_${sys.cameraName(camera)}`);
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, name), file);
  return file;
}

/**
 * Median UDP round trip from a lab host to an echo in the public namespace (through the host's router,
 * not the other one), over 7 probes: what the delay really adds, seen from outside the product.
 */
async function udpRttMs(host: LabHost): Promise<number> {
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const echo = lab.start(lab.pub, [
    '-e',
    `const s=require('node:dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));` +
      `s.bind(${port},'${PUBLIC_IP}',()=>console.log('echo ready'))`,
  ]);
  try {
    await echo.waitForLine(/echo ready/, 10_000);
    const client = lab.start(host.ns, [
      '-e',
      `const s=require('node:dgram').createSocket('udp4');const rtts=[];let sent=0;` +
        `s.on('message',(m)=>{rtts.push(performance.now()-Number(String(m)));if(rtts.length===7){` +
        `rtts.sort((a,b)=>a-b);console.log('rtt '+rtts[3].toFixed(1));process.exit(0)}});` +
        `const t=setInterval(()=>{s.send(String(performance.now()),${port},'${PUBLIC_IP}');if(++sent===7)clearInterval(t)},60);`,
    ]);
    const m = await client.waitForLine(/^rtt ([\d.]+)/, 10_000);
    return Number(m[1]);
  } finally {
    await echo.kill();
  }
}

let delayed = false;
/** Puts the test's delays in place once (each test can run alone); the last test removes them. */
async function delayBothRouters(): Promise<void> {
  if (delayed) return;
  await lab.setDelay(viewer, VIEWER_DELAY_MS);
  await lab.setDelay(camera, CAMERA_DELAY_MS);
  delayed = true;
}

describe('NAT lab: delay', () => {
  it(`~${ADDED_RTT_MS} ms round trip: live decodes, no reconnect, TTFF within a few round trips of no delay`, async () => {
    // TTFF of the P2P path itself: this lab delays only the peers' UDP, and a relay-first start rides the
    // (undelayed) signalling, so it would hide the path under test. The relay-first start on paths where
    // every packet is delayed is measured by `npm run bench:lab` (lab_ttff_rtt*, next to lab_ttff_relay_off_rtt*).
    const base = await watch('base', 4_000, false);
    const baseRtt = [await udpRttMs(viewer), await udpRttMs(camera)];
    await delayBothRouters();
    const rtt = [await udpRttMs(viewer), await udpRttMs(camera)];
    const pathRtt = rtt[0]! + rtt[1]!;
    // 10 s: twenty heartbeat pings, each answered ~300 ms later; a reconnect would show in stats
    const slow = await watch('delayed', 10_000, false);
    report.push(
      `UDP echo RTT to the public side: viewer ${baseRtt[0]} → ${rtt[0]} ms, camera ${baseRtt[1]} → ${rtt[1]} ms ` +
        `(peer path ≈ ${pathRtt.toFixed(0)} ms)`,
      `no delay: TTFF ${base.firstByteMs} ms (connect ${base.connectMs} ms, path ${base.path}), ${base.frames} frames / 4 s`,
      `+${ADDED_RTT_MS} ms RTT: TTFF ${slow.firstByteMs} ms (connect ${slow.connectMs} ms, path ${slow.path}; ` +
        `+${slow.firstByteMs - base.firstByteMs} ms = ${((slow.firstByteMs - base.firstByteMs) / pathRtt).toFixed(1)} RTT), ` +
        `${slow.frames} frames / 10 s decode, longest gap ${slow.maxGapMs} ms, reconnects ${slow.recoveries.length}`,
    );
    // the program holds each packet for the given time: RTT + 2 × delay, with room for a busy machine
    // (nfq-delay, the echo and the client are processes that wait for a CPU on 2 shared cores)
    expect(rtt[0]! - baseRtt[0]!).toBeGreaterThan(2 * VIEWER_DELAY_MS - 5);
    expect(rtt[0]! - baseRtt[0]!).toBeLessThan(2 * VIEWER_DELAY_MS + 50);
    expect(rtt[1]! - baseRtt[1]!).toBeGreaterThan(2 * CAMERA_DELAY_MS - 5);
    expect(rtt[1]! - baseRtt[1]!).toBeLessThan(2 * CAMERA_DELAY_MS + 50);

    expectDecodes(base, 60);
    expectDecodes(slow, 150);
    expect(slow.recoveries, 'no reconnect: the heartbeat must not take 300 ms for a lost path').toHaveLength(0);
    expect(slow.disconnected).toBe(false);
    expect(slow.maxGapMs, 'no stall').toBeLessThan(2_000);
    // What the delay can add: ICE checks (1–2 RTT: the first check towards a port-restricted NAT is dropped
    // until the other side has punched), DTLS (2 RTT), SCTP association (2 RTT), request → answer → first
    // bytes (2–3 RTT, the first FLV message is larger than SCTP's initial window): about 8 round trips. Plus
    // timers that do not scale with RTT: a DTLS flight lost to a not-yet-open NAT is sent again after 1 s,
    // then 2 s (OpenSSL's DTLS timer), and the sdk's 700 ms connect race restarts such attempts from scratch.
    const added = slow.firstByteMs - base.firstByteMs;
    expect(added, 'TTFF added by the delay').toBeLessThan(8 * pathRtt + 3_000);
    expect(added, 'the delay is really on the path').toBeGreaterThan(3 * pathRtt);
  }, 90_000);

  it('a download over the ~300 ms path is byte-identical', async () => {
    await delayBothRouters();
    const file = putRecording('delay.bin', 3 * 1024 * 1024);
    const { ms, transferMs, bytes } = await download('delay.bin');
    report.push(
      `+${ADDED_RTT_MS} ms RTT, download 3 MiB: sha256 equal, ${ms} ms in all, ${transferMs} ms from the first byte ` +
        `(${(file.byteLength / transferMs / 1000).toFixed(2)} MB/s)`,
    );
    expect(sha256(bytes)).toBe(sha256(file));
  }, 90_000);

  it('delay and 5% loss at the viewer: live decodes, no disconnect, a download is byte-identical', async () => {
    await delayBothRouters();
    // One lossy side (~5% each way on the path). With 5% at BOTH routers (~10% each way) at this RTT the
    // heartbeat can still call the path lost and connecting takes ~10 s; a download then resumes and
    // completes (README.md, NAT lab: by hand, 3 of 3), but too slowly to be part of every lab run.
    await lab.setLoss(viewer, 5);
    try {
      const live = await watch('delayed-loss', 8_000);
      const kbit = (live.bytes * 8) / 8 / 1000;
      report.push(
        `+${ADDED_RTT_MS} ms RTT and 5% loss at the viewer's router: live TTFF ${live.firstByteMs} ms, ` +
          `${live.frames} frames / 8 s decode, ${kbit.toFixed(0)} kbit/s received, longest gap ${live.maxGapMs} ms, ` +
          `reconnects ${live.recoveries.length} ${JSON.stringify(live.recoveries)}, relay-first hand-over ${live.handOver}`,
      );
      // A loss-driven window carries about MSS / RTT × 1.22 / √p ≈ 1172 B / 0.3 s × 5.5 ≈ 21 KB/s (Mathis
      // et al.), below the ~0.8 Mbit/s source: the camera sends the whole GOPs it can and drops the rest.
      expectDecodes(live, 15);
      // A reconnect can happen and is reported, not asserted away: SCTP (libdatachannel: RTO min 1 s,
      // doubling) can go quiet for over 2 s when a retransmission is lost again, which the heartbeat reads as
      // a lost path. What must hold: the session comes back by itself (no disconnect), no long stall.
      expect(live.disconnected).toBe(false);
      // path lost after 2 s + a reconnect at this RTT (2–3 s) + the live stream re-requested (~1 s)
      expect(live.maxGapMs, 'never stalls for long').toBeLessThan(8_000);
      // small: at ~20 KB/s a larger file would only make the lab slower
      const file = putRecording('delay-loss.bin', 128 * 1024);
      const { ms, transferMs, bytes } = await download('delay-loss.bin');
      report.push(
        `+${ADDED_RTT_MS} ms RTT and 5% loss at the viewer's router, download 128 KiB: sha256 equal, ${ms} ms in all, ` +
          `${transferMs} ms from the first byte (${(file.byteLength / transferMs).toFixed(1)} KB/s)`,
      );
      expect(sha256(bytes)).toBe(sha256(file));
    } finally {
      await lab.setLoss(viewer, 0);
    }
    const summaries = [await lab.setDelay(viewer, 0), await lab.setDelay(camera, 0)];
    delayed = false;
    report.push(`delay programs: ${summaries.map((s) => s?.replace('nfq-delay: ', '')).join('; ')}`);
    // nfq-delay read every queued packet (a netlink overrun would have left packets to the batch verdicts)
    for (const s of summaries) expect(s).toMatch(/, 0 netlink overruns$/);
  }, 120_000);
});
