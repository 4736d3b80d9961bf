/**
 * `xp2p bench` (npm run bench): starts a server and a camera as separate processes on loopback and
 * measures TTFF over P2P against direct HTTP-FLV from the same camera, in the same run.
 */
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanupNodeWebRTC } from '@xp2p/sdk/node';
import { runSwarmBench, type AppParams } from '@xp2p/sdk/node';
import { DEMO_USER, readDevCredentials, runSignalLoadBench } from '@xp2p/server';
import { benchBrowserTtff, measureWebSizes, webAppBuilt } from '@xp2p/web';
import { CLI_DEFAULTS, commonOptions } from '../args.js';
import { oneToManyFigures, oneToOneFigures, type OneToManyRuns, type OneToOneRuns } from '../bench/bench-figures.js';
import { floodFigures, runFloods } from '../bench/floods.js';
import { launch } from '../bench/launch.js';
import { sizeFigures } from '../bench/size-section.js';
import { progressBar } from '../progress.js';
import { commandRoundTrips, httpDownloadMBps, p2pDownloadMBps } from '../bench/one-to-one.js';
import { describePaths } from '../bench/path-counts.js';
import { writeResults } from '../bench/report.js';
import { round } from '../bench/stats.js';
import { realSwarmOffload } from '../bench/swarm-real.js';
import { coldP2P, directFetch, preconnectedAgent, warmP2P, type ColdRun } from '../bench/ttff.js';

/** The processes a bench run measures against, and what it needs to reach them. */
interface BenchSetup {
  serverUrl: string;
  serverPid: number;
  /** the camera's own HTTP-FLV endpoint, for the direct figures */
  directUrl: string;
  /** a 200 MB file in the camera's store, for the download figures */
  bigFile: string;
  app: AppParams & { serverUrl: string };
  dev: { productId: string; deviceName: string };
}

/** The demo's web user (the server made it on first start; its password is in the data directory). */
async function demoWebUser(dataDir: string): Promise<{ name: string; password: string }> {
  const user = (await readDevCredentials(dataDir))?.users?.find((u) => u.name === DEMO_USER);
  if (!user) throw new Error(`no demo web user in ${dataDir}`);
  return user;
}

const warmUp = (): Promise<void> => new Promise((r) => setTimeout(r, CLI_DEFAULTS.benchWarmupMs));

async function startServerAndCamera(dataDir: string, children: ChildProcess[]): Promise<BenchSetup> {
  const server = await launch(
    ['server', '--data', dataDir, '--port', '0', '--stun-port', '0'],
    /^server: (http:\/\/\S+)/,
  );
  children.push(server.child);
  const serverUrl = server.match[1]!;
  const store = join(dataDir, 'store');
  mkdirSync(store, { recursive: true });
  const bigFile = join(store, 'bench-200MB.bin');
  const fd = openSync(bigFile, 'w');
  for (let i = 0; i < 200; i++) writeSync(fd, randomBytes(1_000_000));
  closeSync(fd);
  const device = await launch(
    ['device', '--server', serverUrl, '--data', dataDir, '--http-port', '0', '--recordings', store, '--no-record'],
    /^http-flv: (http:\/\/\S+)/,
  );
  children.push(device.child);
  await warmUp(); // let the camera fill its GOP cache and log in

  const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as {
    apps: { appid: string; appKey: string; appSecretKey: string }[];
  };
  const app = { ...config.apps[0]!, serverUrl };
  return {
    serverUrl,
    serverPid: server.child.pid!,
    directUrl: device.match[1]!,
    bigFile,
    app,
    dev: { productId: 'demo', deviceName: 'cam1' },
  };
}

async function measureOneToOne({ app, dev, directUrl, bigFile }: BenchSetup, runs: number): Promise<OneToOneRuns> {
  console.log(`bench: ${runs} runs each`);
  await coldP2P(app, dev); // warm-up: JIT, first DTLS certificate
  await directFetch(directUrl);
  const cold: ColdRun[] = [];
  const direct: number[] = [];
  const coldBar = progressBar((done, total) => `cold TTFF runs ${done}/${total}`);
  for (let i = 0; i < runs; i++) {
    // interleave so both see the same machine noise
    cold.push(await coldP2P(app, dev));
    direct.push(await directFetch(directUrl));
    coldBar.update(i + 1, runs);
  }
  coldBar.finish();
  const warm = (await warmP2P(app, dev, runs)).map((r) => r.firstKeyframe);
  const directKeepAlive: number[] = [];
  for (let i = 0; i < runs; i++) {
    const agent = await preconnectedAgent(new URL(directUrl).origin);
    directKeepAlive.push(await directFetch(directUrl, agent));
    agent.destroy();
  }

  const downloadP2p: number[] = [];
  const downloadHttp: number[] = [];
  const downloadBar = progressBar((done, total) => `200 MB downloads ${done}/${total}`);
  for (let i = 0; i < 3; i++) {
    downloadHttp.push(await httpDownloadMBps(bigFile));
    downloadP2p.push(await p2pDownloadMBps(app, dev, 'bench-200MB.bin'));
    downloadBar.update(i + 1, 3);
  }
  downloadBar.finish();
  const rtt = await commandRoundTrips(app, dev, Math.max(50, runs));
  return { runs, cold, direct, warm, directKeepAlive, downloadP2p, downloadHttp, rtt };
}

/** Abuse floods against the server (idle TCP, slow HTTP, garbage and non-reading WebSockets), held `holdMs`. */
async function measureFloods(
  { serverUrl, serverPid, app, dev }: BenchSetup,
  holdMs: number,
): Promise<Record<string, number>> {
  return floodFigures(
    await runFloods({
      port: Number(new URL(serverUrl).port),
      serverPid,
      app,
      device: dev,
      holdMs,
      idleTcp: 2_000,
      slowHttp: 1_000,
      wsGarbage: 200,
      wsNoRead: 500,
    }),
  );
}

async function measureOneToMany(
  setup: BenchSetup,
  dataDir: string,
  children: ChildProcess[],
  options: { skipSim: boolean; loadConnections: number; floodMs: number },
): Promise<OneToManyRuns> {
  const { app, serverUrl } = setup;
  // 1vN: a published stream shared by 6 real WebRTC peers
  const publisher = await launch(
    ['publish', 'benchroom', 'sample', '--server', serverUrl, '--data', dataDir],
    /^publishing:/,
  );
  children.push(publisher.child);
  await warmUp();
  const swarmReal = await realSwarmOffload(app, serverUrl, 'benchroom', 6, 25);
  console.log(`swarm_real_n6_offload: ${round(swarmReal.offload, 3)} (limit ${round(swarmReal.limit, 3)})`);
  const browser = webAppBuilt()
    ? await benchBrowserTtff({ serverUrl, user: await demoWebUser(dataDir), runs: 10 }).catch(() => undefined)
    : undefined;
  const swarmSim = options.skipSim
    ? {}
    : await runSwarmBench({
        onResult: (n, f) => console.log(`swarm sim N=${n}: offload ${round(f[`swarm_sim_n${n}_offload`] ?? 0, 3)}`),
      });
  const flooded = await measureFloods(setup, options.floodMs);
  const load =
    options.loadConnections !== 0
      ? await runSignalLoadBench({ connections: options.loadConnections }).catch(
          (err: unknown) => (console.error(`load bench: ${String(err)}`), undefined),
        )
      : undefined;
  return { swarmReal, browser, swarmSim, flooded, load };
}

export async function benchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      runs: { type: 'string', default: '25' },
      out: { type: 'string', default: '.' },
      'skip-sim': { type: 'boolean', default: false },
      'load-connections': { type: 'string', default: '50000' },
      'only-floods': { type: 'boolean', default: false },
      'flood-seconds': { type: 'string', default: '13' },
    },
  });
  const runs = Number(values.runs);
  const dataDir = mkdtempSync(join(tmpdir(), 'xp2p-bench-'));
  const children: ChildProcess[] = [];
  try {
    const setup = await startServerAndCamera(dataDir, children);
    const floodMs = Number(values['flood-seconds']) * 1000;
    if (values['only-floods']) {
      const figures = await measureFloods(setup, floodMs);
      for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
      writeResults(resolve(values.out), figures);
      console.log('wrote BENCHMARKS.md and bench/results.json');
      return;
    }
    const oneToOne = await measureOneToOne(setup, runs);
    const oneToMany = await measureOneToMany(setup, dataDir, children, {
      skipSim: values['skip-sim'],
      loadConnections: Number(values['load-connections']),
      floodMs,
    });
    const figures = {
      ...oneToOneFigures(oneToOne),
      ...oneToManyFigures(oneToMany),
      ...(webAppBuilt() ? sizeFigures(measureWebSizes()) : {}),
    };
    for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
    console.log(`ttff_path: ${describePaths(oneToOne.cold.map((r) => r.path))}`);
    writeResults(resolve(values.out), figures);
    console.log('wrote BENCHMARKS.md and bench/results.json');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    cleanupNodeWebRTC();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
