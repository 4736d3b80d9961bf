#!/usr/bin/env node
/** `xp2p` — one command for every part: demo, server, device, play. */
import { describeError } from '@xp2p/protocol';
import { UsageError } from './args.js';
import { benchCommand } from './commands/bench.js';
import { benchSwarmCommand } from './commands/bench-swarm.js';
import { cmdCommand } from './commands/cmd.js';
import { downloadCommand } from './commands/download.js';
import { publishCommand } from './commands/publish.js';
import { recordsCommand } from './commands/records.js';
import { talkCommand } from './commands/talk.js';
import { watchCommand } from './commands/watch.js';
import { demoCommand } from './commands/demo.js';
import { deviceCommand } from './commands/device.js';
import { playCommand } from './commands/play.js';
import { serverCommand } from './commands/server.js';
import { accountsCommand, DEVICE_ACCOUNT_VERBS } from './commands/accounts.js';
import { benchAccountsCommand } from './commands/bench-accounts.js';

const USAGE = `usage: xp2p <command> [flags]

  demo                      server + demo camera (demo/cam1) + player bridge; prints web: and play: URLs
  server [--port 18080] [--stun-port 3478] [--host 127.0.0.1] [--config FILE] [--redis redis://H:P]
         [--cluster-url URL] [--tls-cert F --tls-key F] [--public-url URL] [--trust-proxy] [--web-root DIR]
         [--log-format json|text] [--pull NAME=URL ...] [--pull-idle-seconds 30] [--db postgres://...]
  device [--server URL[,URL...]] [--product demo --name cam1] [--secret-file F] [--source sample|testsrc|FILE|URL] [--max-viewers 4]
         (the secret: XP2P_DEVICE_SECRET or --secret-file; default the demo's, from --data)
         [--recordings DIR] [--segment-seconds 60] [--no-record] [--voice-dir DIR | --voice-cmd CMD] [--commands MODULE|CMD]
         [--nat-reprobe-ms 15000]   re-probe the public address; log in again at once when it changes
  play <productId>/<deviceName> [--bridge-port 16080] [--params action=live&channel=0]
  cmd <productId>/<deviceName> '<command>'   e.g. 'action=inner_define&channel=0&cmd=get_device_st&type=live'
  records <productId>/<deviceName> [--from S --to E] [--json]
  download <productId>/<deviceName> <file_name> [-o OUT]   resumes when OUT holds a part
  talk <productId>/<deviceName> <file.wav>
  publish NAME [sample|testsrc|FILE|URL] [--key KEY]   pushes a live stream to the origin (1vN)
  watch http://host:18080/live/NAME.flv[,URL on another node...] [--listen 127.0.0.1:PORT] [--no-upload]   a 1vN peer; prints play: and stats
  app add NAME | app list                                  accounts (on the running server in --data, or --db URL);
  device add PRODUCT/NAME --app APPID | device remove P/N   every one takes --json
  user add NAME --app APPID (password on stdin) | user remove NAME
  share PRODUCT/NAME USER --role viewer|operator|owner | unshare PRODUCT/NAME USER
  audit [PRODUCT/NAME] [--app APPID] [--limit N]
  bench-accounts [--db postgres://...] [--users 100000] [--devices 10000]   xp2pInfo issue and sign-in at scale
  bench [--runs 25]          TTFF over P2P vs direct HTTP-FLV; writes BENCHMARKS.md, bench/results.json
  bench-swarm [--sizes 10,50,200,1000] [--runs 3] [--large-runs 1] [--no-write]
                             1vN simulation only; updates its figures in BENCHMARKS.md, bench/results.json

every command: --server URL (default http://127.0.0.1:18080), --data DIR (default .xp2p), --bind ADDR
  (the device and viewer commands take several cluster nodes, URL,URL,...: they move to the next when one fails)
`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  demo: demoCommand,
  server: serverCommand,
  device: deviceCommand,
  play: playCommand,
  bench: benchCommand,
  'bench-swarm': benchSwarmCommand,
  'bench-accounts': benchAccountsCommand,
  cmd: cmdCommand,
  download: downloadCommand,
  talk: talkCommand,
  records: recordsCommand,
  publish: publishCommand,
  watch: watchCommand,
  app: (argv) => accountsCommand('app', argv),
  user: (argv) => accountsCommand('user', argv),
  share: (argv) => accountsCommand('share', argv),
  unshare: (argv) => accountsCommand('unshare', argv),
  audit: (argv) => accountsCommand('audit', argv),
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (name === 'device' && DEVICE_ACCOUNT_VERBS.has(rest[0] ?? '')) return accountsCommand('device', rest);
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  await command(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`xp2p: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`xp2p: ${describeError(err)}\n`);
  process.exit(1);
});
