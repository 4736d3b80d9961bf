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
import { commonOptions } from '../args.js';
import { writeResults } from '../bench/report.js';
import { percentile, round } from '../bench/stats.js';
import { realSwarmOffload } from '../bench/swarm-real.js';
import { runSwarmBench } from '@xp2p/sdk/node';
import { runSignalLoadBench } from '@xp2p/server';
import { benchBrowserTtff, measureWebSizes, webAppBuilt } from '@xp2p/web';
import { sizeFigures } from '../bench/size-section.js';
import { progressBar } from '../progress.js';
import { launch } from '../bench/launch.js';
import { commandRoundTrips, httpDownloadMBps, p2pDownloadMBps } from '../bench/one-to-one.js';
import { floodFigures, runFloods } from '../bench/floods.js';
import { describePaths, pathFigures } from '../bench/path-counts.js';
import { coldP2P, directFetch, preconnectedAgent, warmP2P, type ColdRun } from '../bench/ttff.js';

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
    const server = await launch(
      ['server', '--data', dataDir, '--port', '0', '--stun-port', '0'],
      /^server: (http:\/\/\S+)/,
    );
    children.push(server.child);
    const serverUrl = server.match[1]!;
    // a 200 MB file in the camera's store for the download figures
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
    const directUrl = device.match[1]!;
    const directBase = new URL(directUrl).origin;
    await new Promise((r) => setTimeout(r, 1500)); // let the camera fill its GOP cache and log in

    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as {
      apps: { appid: string; appKey: string; appSecretKey: string }[];
    };
    const app = { ...config.apps[0]!, serverUrl };
    const dev = { productId: 'demo', deviceName: 'cam1' };
    const floods = async () =>
      floodFigures(
        await runFloods({
          port: Number(new URL(serverUrl).port),
          serverPid: server.child.pid!,
          app,
          device: dev,
          holdMs: Number(values['flood-seconds']) * 1000,
          idleTcp: 2_000,
          slowHttp: 1_000,
          wsGarbage: 200,
          wsNoRead: 500,
        }),
      );
    if (values['only-floods']) {
      const figures = await floods();
      for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
      writeResults(resolve(values.out), figures);
      console.log('wrote BENCHMARKS.md and bench/results.json');
      return;
    }

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
    const warm = await warmP2P(app, dev, runs);
    const directKeepAlive: number[] = [];
    for (let i = 0; i < runs; i++) {
      const agent = await preconnectedAgent(directBase);
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

    // 1vN: a published stream shared by 6 real WebRTC peers
    const publisher = await launch(
      ['publish', 'benchroom', 'sample', '--server', serverUrl, '--data', dataDir],
      /^publishing:/,
    );
    children.push(publisher.child);
    await new Promise((r) => setTimeout(r, 1500));
    const swarmReal = await realSwarmOffload(app, serverUrl, 'benchroom', 6, 25);
    console.log(`swarm_real_n6_offload: ${round(swarmReal.offload, 3)} (limit ${round(swarmReal.limit, 3)})`);
    const browser = webAppBuilt()
      ? await benchBrowserTtff({ serverUrl, appParams: app, runs: 10 }).catch(() => undefined)
      : undefined;
    const swarmSim = values['skip-sim']
      ? {}
      : await runSwarmBench({
          onResult: (n, f) => console.log(`swarm sim N=${n}: offload ${round(f[`swarm_sim_n${n}_offload`] ?? 0, 3)}`),
        });
    const flooded = await floods();
    const load =
      values['load-connections'] !== '0'
        ? await runSignalLoadBench({ connections: Number(values['load-connections']) }).catch(
            (err: unknown) => (console.error(`load bench: ${String(err)}`), undefined),
          )
        : undefined;

    const p = (xs: number[], q: number) => round(percentile(xs, q));
    const pick = (k: Exclude<keyof ColdRun, 'path'>) => cold.map((r) => r[k]);
    const figures: Record<string, number> = {
      ttff_p2p_ms_p50: p(pick('total'), 50),
      ttff_p2p_ms_p95: p(pick('total'), 95),
      ttff_direct_ms_p50: p(direct, 50),
      ttff_direct_ms_p95: p(direct, 95),
      ttff_p2p_over_direct_p50: round(percentile(pick('total'), 50) / percentile(direct, 50), 2),
      ttff_p2p_phase_signalling_ms_p50: p(pick('signalling'), 50),
      ttff_p2p_phase_offer_answer_ms_p50: p(pick('offerToAnswer'), 50),
      ttff_p2p_phase_ice_dtls_sctp_ms_p50: p(pick('ice'), 50),
      ttff_p2p_phase_ice_dtls_sctp_ms_p95: p(pick('ice'), 95),
      ttff_p2p_phase_first_byte_ms_p50: p(pick('firstByte'), 50),
      ttff_p2p_phase_first_keyframe_ms_p50: p(pick('firstKeyframe'), 50),
      ttff_p2p_runs_needing_second_attempt: cold.filter((r) => r.attempts > 1).length,
      ...pathFigures(cold.map((r) => r.path)),
      ttff_warm_ms_p50: p(warm, 50),
      ttff_warm_ms_p95: p(warm, 95),
      ttff_direct_keepalive_ms_p50: p(directKeepAlive, 50),
      ttff_direct_keepalive_ms_p95: p(directKeepAlive, 95),
      ttff_warm_over_direct_keepalive_p50: round(percentile(warm, 50) / percentile(directKeepAlive, 50), 2),
      ttff_runs: runs,
      download_p2p_MBps: p(downloadP2p, 50),
      download_http_MBps: p(downloadHttp, 50),
      download_p2p_over_http: round(percentile(downloadP2p, 50) / percentile(downloadHttp, 50), 2),
      command_rtt_ms_p50: p(rtt, 50),
      command_rtt_ms_p95: p(rtt, 95),
      swarm_real_n6_offload: round(swarmReal.offload, 3),
      swarm_real_n6_limit: round(swarmReal.limit, 3),
      swarm_real_n6_ratio_to_limit: round(swarmReal.offload / swarmReal.limit, 3),
      swarm_real_n6_stalls: swarmReal.stalls,
      ...(browser
        ? {
            browser_ttff_ms_p50: round(browser.p50Ms),
            browser_ttff_ms_p95: round(browser.p95Ms),
            browser_ttff_failures: browser.failures,
          }
        : {}),
      ...Object.fromEntries(Object.entries(swarmSim).map(([k, v]) => [k, round(v, 4)])),
      ...flooded,
      ...(load
        ? {
            signal_conns_max: load.signal_conns_max,
            signal_rss_bytes_per_conn: Math.round(load.signal_rss_bytes_per_conn),
            signal_joins_per_s: Math.round(load.signal_joins_per_s),
          }
        : {}),
      ...(webAppBuilt() ? sizeFigures(measureWebSizes()) : {}),
    };
    for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
    const ttffPath = describePaths(cold.map((r) => r.path));
    console.log(`ttff_path: ${ttffPath}`);
    writeResults(resolve(values.out), figures);
    console.log('wrote BENCHMARKS.md and bench/results.json');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    cleanupNodeWebRTC();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
