/**
 * The camera agent on a small board: `xp2p device` (its own process) serving N live viewers of a ~2 Mbit/s
 * stream while recording it, sampled from outside every second (RSS, CPU share of one core). The stream is
 * an FLV made once by ffmpeg (constant 2 Mbit/s, 1 s GOP) that the agent loops, so the agent does no
 * encoding; the viewers are sdk modules in this process, each with its own peer connection.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetchXp2pInfo, createNodeP2PModule, type P2PModule } from '@xp2p/sdk/node';
import { readDevConfig } from '../dev-config.js';
import { launch } from './launch.js';
import { sampleProcess } from './process-usage.js';
import { percentile } from './stats.js';

const run = promisify(execFile);

/**
 * V8's young generation may grow to 3 × 16 MB semi-spaces on 64-bit; capped at 2 MB the agent scavenges more
 * often (its garbage is small and short-lived: messages, tag objects) and its RSS drops by ~25 MB at ~1% more
 * CPU (measured with bench-agent). deploy/systemd/xp2p-camera@.service sets the same.
 */
export const AGENT_NODE_OPTIONS = '--max-semi-space-size=2';

export interface AgentLoadOptions {
  /** empty work directory: config, stream file, recordings */
  dir: string;
  viewers: number;
  /** measured seconds, after warm-up */
  seconds: number;
  warmupSeconds: number;
  /** per-second progress (TTY bar) */
  onSecond?: (second: number) => void;
}

export interface AgentLoadResult {
  rssMbP50: number;
  rssMbMax: number;
  /** mean CPU over the window, percent of one core */
  cpuPercent: number;
  /** the stream file's bitrate */
  streamMbps: number;
  /** what each viewer received during the window, mean */
  viewerMbps: number;
  recordedBytes: number;
}

/** A constant-bitrate 2 Mbit/s FLV (960x540 30 fps H.264, 1 s GOP, AAC), `seconds` long. */
export async function makeStreamFile(file: string, seconds = 20): Promise<void> {
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=960x540:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '30', '-keyint_min', '30'],
    ...['-b:v', '1900k', '-minrate', '1900k', '-maxrate', '1900k', '-bufsize', '1900k', '-x264-params', 'nal-hrd=cbr'],
    ...['-c:a', 'aac', '-b:a', '96k', '-f', 'flv', file],
  ]);
}

export async function measureAgentLoad(o: AgentLoadOptions, children: ChildProcess[]): Promise<AgentLoadResult> {
  const streamFile = join(o.dir, 'stream-2mbps.flv');
  await makeStreamFile(streamFile);
  const streamMbps = (statSync(streamFile).size * 8) / 20 / 1e6;
  const data = join(o.dir, 'data');
  const server = await launch(['server', '--data', data, '--port', '0', '--stun-port', '0'], /^server: (\S+)/);
  children.push(server.child);
  const serverUrl = server.match[1]!;
  // as deploy/systemd/xp2p-camera@.service runs it: the secret from a file, so the agent never loads the
  // development config (and with it the server package)
  const config = await readDevConfig(data);
  const secretFile = join(o.dir, 'camera.secret');
  writeFileSync(secretFile, config.devices[0]!.secret, { mode: 0o600 });
  const recordings = join(o.dir, 'recordings');
  const device = await launch(
    ['device', '--server', serverUrl, '--secret-file', secretFile, '--source', streamFile].concat([
      '--max-viewers',
      String(o.viewers),
      '--recordings',
      recordings,
      '--bind',
      '127.0.0.1',
    ]),
    /^device: .* online/,
    { ...process.env, ...agentEnv() },
  );
  children.push(device.child);
  const app = { ...config.apps[0]!, serverUrl };
  const camera = { productId: 'demo', deviceName: 'cam1' };
  const received = new Array<number>(o.viewers).fill(0);
  const viewers: P2PModule[] = [];
  try {
    for (let i = 0; i < o.viewers; i++) {
      const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
      viewers.push(p2p);
      await p2p.init({ appParams: app });
      const { xp2pInfo } = await fetchXp2pInfo(app, camera);
      const url = 'http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?action=live&channel=0&quality=high';
      const code = await p2p.startP2PService(
        `v${i}`,
        { url, ...camera, xp2pInfo },
        {
          msgCallback: () => {},
          dataCallback: (d) => (received[i]! += d.byteLength),
        },
      );
      if (code !== 0) throw new Error(`viewer ${i}: startP2PService ${code}: ${p2p.lastError(`v${i}`)}`);
    }
    await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
    const pid = device.child.pid!;
    const first = sampleProcess(pid);
    const receivedAtStart = [...received];
    const startedAt = performance.now();
    const rss: number[] = [];
    for (let s = 1; s <= o.seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(sampleProcess(pid).rssBytes);
      o.onSecond?.(s);
    }
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const last = sampleProcess(pid);
    const viewerBytes = received.map((b, i) => b - receivedAtStart[i]!);
    const { recordedBytes } = await recordingSize(recordings);
    return {
      rssMbP50: percentile(rss, 50) / 1e6,
      rssMbMax: Math.max(...rss) / 1e6,
      cpuPercent: ((last.cpuSeconds - first.cpuSeconds) / wallSeconds) * 100,
      streamMbps,
      viewerMbps: ((viewerBytes.reduce((a, b) => a + b, 0) / viewerBytes.length / wallSeconds) * 8) / 1e6,
      recordedBytes,
    };
  } finally {
    for (const p2p of viewers) p2p.destroy();
  }
}

async function recordingSize(dir: string): Promise<{ recordedBytes: number }> {
  const { stdout } = await run('du', ['-sb', dir]).catch(() => ({ stdout: '0' }));
  return { recordedBytes: Number(stdout.split(/\s/)[0]) || 0 };
}

/** The agent's environment as the camera unit sets it (deploy/systemd/xp2p-camera@.service): NODE_OPTIONS. */
export function agentEnv(): Record<string, string> {
  return { NODE_OPTIONS: process.env.XP2P_BENCH_AGENT_NODE_OPTIONS ?? AGENT_NODE_OPTIONS };
}
