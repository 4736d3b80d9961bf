/**
 * The parts of the soak system, each a real process the driver can kill -9 and start again: a redis-server,
 * two `xp2p server --redis` nodes, a camera (`xp2p device`, recording), a 1v1 viewer (`xp2p play`, read by a
 * player), six 1vN peers (`xp2p watch`, each read by a player) of a stream `xp2p publish` pushes to node A.
 * Every part knows how to tell it is back in service, and the bound it gets for that.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { streamPublicKey, streamPublishKey } from '@xp2p/protocol';
import { readDevConfig } from '../../dev-config.js';
import { launchRedis } from '../scale/child-processes.js';
import { runCli, waitReady } from '../scale/cluster-bench.js';
import { startCli, type CliProcess } from './cli-process.js';
import { LiveReader } from './live-reader.js';

export type PartKind = 'redis' | 'node' | 'camera' | 'viewer' | 'peer';

/** How long each kind of part may take from its kill -9 to being back in service (restart included). */
export const RECOVERY_BOUND_MS: Record<PartKind, number> = {
  redis: 30_000, // both nodes ready again and a command crosses nodes
  node: 45_000, // ready again and a command through it reaches the camera (which may have to log in again)
  camera: 45_000, // restarted, logged in, a command round-trips
  viewer: 30_000, // restarted bridge delivers live video to its player
  peer: 30_000, // restarted peer delivers live video to its player
};

export interface Part {
  name: string;
  kind: PartKind;
  proc?: ChildProcess;
  /** counts starts; samples are kept per incarnation */
  incarnation: number;
  startedAt: number;
  /** /metrics of a server node (timers are reachable there) */
  metricsUrl?: string;
  reader?: LiveReader;
  start(): Promise<void>;
  /** resolves once the part serves again; rejects when it does not within timeoutMs */
  recovered(timeoutMs: number): Promise<void>;
}

export interface CastPorts {
  redis: number;
  nodes: [number, number];
  viewer: number;
  peers: number[];
}

const COMMAND = 'action=inner_define&channel=0&cmd=get_device_st&type=live';

export class Cast {
  readonly nodeUrls: [string, string];
  readonly recordingsDir: string;
  readonly parts: Part[] = [];
  publisher?: CliProcess;
  publisherRestarts = 0;

  constructor(
    readonly dataDir: string,
    readonly ports: CastPorts,
  ) {
    this.nodeUrls = [`http://127.0.0.1:${ports.nodes[0]}`, `http://127.0.0.1:${ports.nodes[1]}`];
    this.recordingsDir = join(dataDir, 'recordings');
    const redisUrl = `redis://127.0.0.1:${ports.redis}`;
    // cluster nodes keep their accounts in one PostgreSQL (npm run soak starts it: scripts/with-postgres.sh)
    const db = process.env.XP2P_BENCH_DB;
    if (!db?.startsWith('postgres')) throw new Error('XP2P_BENCH_DB (postgres://…) is not set: run `npm run soak`');
    this.add(
      'redis',
      'redis',
      async () => launchRedis(ports.redis),
      () => this.commandOk(this.nodeUrls[1], true),
    );
    this.nodeUrls.forEach((url, i) => {
      const args = ['server', '--data', dataDir, '--port', String(ports.nodes[i]), '--stun-port', '0'];
      const part = this.add(
        `node ${'AB'[i]}`,
        'node',
        async () => {
          const p = startCli([...args, '--redis', redisUrl, '--db', db]);
          await p.waitFor(/^server: /, 60_000);
          return p.proc;
        },
        () => this.commandOk(url, false),
      );
      part.metricsUrl = `${url}/metrics`;
    });
    this.add(
      'camera',
      'camera',
      async () => {
        const servers = this.nodeUrls.join(',');
        const p = startCli([
          'device',
          '--server',
          servers,
          '--data',
          dataDir,
          '--recordings',
          this.recordingsDir,
          '--segment-seconds',
          '20',
        ]);
        await p.waitFor(/^device: .* online/, 60_000);
        return p.proc;
      },
      () => this.commandOk(this.nodeUrls[1], false),
    );
    this.addPlayer('viewer', 'viewer', ['play', 'demo/cam1', '--bridge-port', String(ports.viewer)], 1);
    ports.peers.forEach((port, i) =>
      this.addPlayer(
        `peer ${i + 1}`,
        'peer',
        async () => ['watch', await this.watchUrls(), '--listen', `127.0.0.1:${port}`],
        0,
      ),
    );
  }

  private add(
    name: string,
    kind: PartKind,
    launch: () => Promise<ChildProcess>,
    inService: () => Promise<boolean>,
  ): Part {
    const part: Part = {
      name,
      kind,
      incarnation: 0,
      startedAt: 0,
      async start() {
        part.proc = await launch();
        part.incarnation++;
        part.startedAt = performance.now();
      },
      recovered: (timeoutMs) => retryUntil(inService, timeoutMs, `${name} back in service`),
    };
    this.parts.push(part);
    return part;
  }

  /** A viewer or peer: its process prints `play: URL`, which a LiveReader plays. `nodeOrder` 1: node B first. */
  /** The 1vN stream on both nodes, with the stream's public key: the peers check every record's signature. */
  private async watchUrls(): Promise<string> {
    const key = await streamPublishKey((await readDevConfig(this.dataDir)).publishKey, 'soak');
    const pk = await streamPublicKey(key, 'soak');
    return this.nodeUrls.map((u) => `${u}/live/soak.flv?pk=${pk}`).join(',');
  }

  private addPlayer(name: string, kind: PartKind, args: string[] | (() => Promise<string[]>), nodeOrder: 0 | 1): void {
    let playUrl: string | undefined;
    const servers = nodeOrder === 1 ? [...this.nodeUrls].reverse() : this.nodeUrls;
    const part = this.add(
      name,
      kind,
      async () => {
        playUrl = undefined;
        const p = startCli([
          ...(typeof args === 'function' ? await args() : args),
          '--server',
          servers.join(','),
          '--data',
          this.dataDir,
        ]);
        playUrl = (await p.waitFor(/^play: (\S+)/, 60_000))[1];
        return p.proc;
      },
      async () => {
        await part.reader!.flowing(5_000);
        return true;
      },
    );
    part.reader = new LiveReader(() => playUrl);
  }

  /** A command through `via` reaches the camera (and with `bothReady`, both nodes report ready first). */
  private async commandOk(via: string, bothReady: boolean): Promise<boolean> {
    if (bothReady) for (const url of this.nodeUrls) await waitReady(url, 5_000);
    else await waitReady(via, 5_000);
    const { code, out } = await runCli(['cmd', 'demo/cam1', COMMAND, '--server', via, '--data', this.dataDir], 20_000);
    return code === 0 && /"type": "success"/.test(out);
  }

  /** `xp2p publish soak sample` to node A, and again whenever it exits (it is not a kill target). */
  async supervisePublisher(): Promise<void> {
    const launch = async (): Promise<void> => {
      const p = startCli(['publish', 'soak', 'sample', '--server', this.nodeUrls[0], '--data', this.dataDir]);
      this.publisher = p;
      p.proc.once('exit', () => {
        if (this.stopping) return;
        this.publisherRestarts++;
        setTimeout(() => void launch().catch(() => {}), 1_000);
      });
      await p.waitFor(/^publishing:/, 60_000);
    };
    await launch();
  }

  stopping = false;
}

/** Calls `check` until it says true (errors count as not yet), at most timeoutMs. */
export async function retryUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    const ok = await check().catch((err: Error) => ((last = err.message), false));
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
