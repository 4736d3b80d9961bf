/**
 * `xp2p doctor [URL]`: checks a deployment from outside and from a client's side of the network, one
 * line per check with a fix: the server answers and is ready (Redis), TLS is valid with days left, the
 * clocks agree, signalling accepts the app, STUN answers with this machine's public address, and TURN
 * credentials allocate a relay. Exits 1 when a check failed. App credentials (to sign in like a viewer and
 * get the STUN/TURN list) come from --config FILE or the development config in --data.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@xp2p/server';
import { parseServerUrls, type IceServer } from '@xp2p/protocol';
import { commonOptions, UsageError } from '../args.js';
import { formatCheck, guarded, type CheckResult } from '../doctor/check.js';
import { checkHttp, checkTls } from '../doctor/http-checks.js';
import { checkStun, checkTurn, parseIceUrl, type UdpServer } from '../doctor/ice-checks.js';
import { fetchIceServers } from '../doctor/ice-servers.js';

export async function doctorCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      config: { type: 'string' },
      stun: { type: 'string' },
      'timeout-ms': { type: 'string', default: '5000' },
    },
  });
  const base = (positionals[0] ?? parseServerUrls(values.server)[0] ?? '').replace(/\/$/, '');
  if (!/^https?:\/\/[^/]+$/.test(base))
    throw new UsageError(`doctor: give the server's base URL, e.g. https://cam.example.com (got ${base})`);
  const timeoutMs = Number(values['timeout-ms']);
  let failed = false;
  const print = (r: CheckResult) => {
    if (r.status === 'fail') failed = true;
    console.log(formatCheck(r));
  };

  const http = await checkHttp(base, timeoutMs);
  print(http.reachable);
  if (http.reachable.status === 'fail') {
    process.exitCode = 1;
    return;
  }
  for (const r of [http.ready, http.clock]) if (r) print(r);
  print(await guarded('tls', () => checkTls(base, timeoutMs)));

  const app = await appCredentials(values.config, values.data);
  let iceServers: IceServer[] | undefined;
  if (!app) {
    print({
      name: 'signal',
      status: 'skip',
      detail: 'no app credentials',
      fix: 'pass --config FILE (the server config) to check signalling and TURN',
    });
  } else {
    try {
      iceServers = await fetchIceServers(base, app, timeoutMs);
      print({
        name: 'signal',
        status: 'ok',
        detail: `signed in as app ${app.appid}; ${iceServers.length} ICE server entries handed out`,
      });
    } catch (err) {
      print({
        name: 'signal',
        status: 'fail',
        detail: (err as Error).message,
        fix: "the proxy must pass WebSocket upgrades (deploy/nginx/xp2p.conf); app credentials from this server's config",
      });
    }
  }
  for (const server of stunServers(base, values.stun, iceServers)) print(await checkStun(server, timeoutMs));
  if (iceServers) for (const r of await checkTurn(iceServers, timeoutMs)) print(r);
  if (failed) process.exitCode = 1;
}

async function appCredentials(configFile: string | undefined, dataDir: string) {
  const path = configFile ?? join(dataDir, 'config.json');
  if (!existsSync(path)) {
    if (configFile) throw new UsageError(`--config: no file ${configFile}`);
    return undefined;
  }
  return (await loadConfig(path)).apps[0];
}

/** --stun HOST:PORT, else the STUN entries the server hands out, else its host on 3478. */
function stunServers(base: string, flag: string | undefined, iceServers: IceServer[] | undefined): UdpServer[] {
  if (flag) {
    const parsed = parseIceUrl(`stun:${flag}`);
    if (!parsed) throw new UsageError(`--stun: HOST:PORT, got ${flag}`);
    return [parsed];
  }
  const fromServer = (iceServers ?? [])
    .flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]))
    .map(parseIceUrl)
    .filter((u) => u?.scheme === 'stun')
    .map((u) => ({ host: u!.host, port: u!.port }));
  const unique = [...new Map(fromServer.map((s) => [`${s.host}:${s.port}`, s])).values()];
  return unique.length > 0 ? unique : [{ host: new URL(base).hostname.replace(/^\[|\]$/g, ''), port: 3478 }];
}
