#!/usr/bin/env node
/** `xp2p` — one command for every part: demo, server, device, play. */
import { describeError } from '@xp2p/protocol';
import { checkCommandTransport, UsageError } from './args.js';

const USAGE = `usage: xp2p <command> [flags]

  demo                      server + demo camera (demo/cam1) + player bridge; prints web: and play: URLs
  server [--port 18080] [--stun-port 3478] [--host 127.0.0.1] [--config FILE] [--redis redis://H:P]
         [--cluster-url URL] [--tls-cert F --tls-key F] [--public-url URL] [--ice-servers stun:H:P,...]
         [--trust-proxy] [--web-root DIR] [--log-format json|text] [--pull NAME=URL ...] [--pull-idle-seconds 30]
         [--db postgres://...] [--camera-stream-idle-seconds 30]
  device [--server URL[,URL...]] [--product demo --name cam1] [--secret-file F] (or XP2P_DEVICE_SECRET)
         [--source sample|testsrc|FILE|URL] [--max-viewers 4] [--no-one-to-many]
         [--recordings DIR] [--segment-seconds 60] [--no-record] [--voice-dir DIR | --voice-cmd CMD] [--commands MODULE|CMD]
         [--nat-reprobe-ms 15000]   re-probe the public address; log in again at once when it changes
         [--server-ca PEM | --server-fingerprint SHA256]   pin the server's certificate
  play <productId>/<deviceName> [--bridge-port 16080] [--params action=live&channel=0] [--allow-origin URL]
  cmd <productId>/<deviceName> '<command>'   e.g. 'action=inner_define&channel=0&cmd=get_device_st&type=live'
  records <productId>/<deviceName> [--from S --to E] [--json]
  download <productId>/<deviceName> <file_name> [-o OUT]   resumes when OUT holds a part
  talk <productId>/<deviceName> <file.wav>
  publish NAME [sample|testsrc|FILE|URL] [--key-file F]   pushes a live stream to the origin (1vN); the key:
                             --key-file, else XP2P_PUBLISH_KEY, else derived from the config
  publish-key NAME           prints the stream's publish key (ffmpeg -f flv http://HOST/live/NAME?key=KEY), then its viewers' pk
  watch http://host:18080/live/NAME.flv[?pk=KEY][,URL on another node...] [--listen 127.0.0.1:PORT] [--no-upload]   a 1vN peer; prints play: and stats
  app add NAME | app list                                  accounts (on the running server in --data, or --db URL);
  device add PRODUCT/NAME --app APPID | device remove P/N   every one takes --json
  user add NAME --app APPID (password on stdin) | user remove NAME
  share PRODUCT/NAME USER --role viewer|operator|owner | unshare PRODUCT/NAME USER
  stream add NAME --app APPID | stream remove NAME | stream list   the app that alone may join NAME's swarm
  audit [PRODUCT/NAME] [--app APPID] [--limit N]
  bench-accounts [--db postgres://...] [--users 100000] [--devices 10000]   xp2pInfo issue and sign-in at scale
  doctor [URL] [--config FILE] [--stun HOST:PORT]   checks a deployment: reachable, ready (Redis), TLS days
                             left, clock skew, signalling, STUN answers, TURN allocates; one line per check
  bench [--runs 25]          TTFF over P2P vs direct HTTP-FLV; writes BENCHMARKS.md, bench/results.json
  bench-swarm [--sizes 10,50,200,1000] [--runs 3] [--large-runs 1] [--no-write]
                             1vN simulation only; updates its figures in BENCHMARKS.md, bench/results.json
  bench-path <productId>/<deviceName> [--runs 10] [--warm-runs 0] [--download FILE]
                             one viewer's cold/warm TTFF and download rate as JSON lines (npm run bench:lab)
  bench-report FIGURES.json  merges figures into bench/results.json and rewrites BENCHMARKS.md
  bench-size                 what browsers download (built web app, sdk bundle); updates its rows
  bench-agent [--viewers 4] [--seconds 30]   RSS and CPU of xp2p device serving live viewers of a 2 Mbit/s
                             stream while recording; updates its rows

every command: --server URL (default http://127.0.0.1:18080), --data DIR (default .xp2p), --bind ADDR,
  --insecure (allow http:// and ws:// to another machine; refused without it, as the server refuses to
  listen in plaintext off loopback without TLS or an https --public-url)
  (the device and viewer commands take several cluster nodes, URL,URL,...: they move to the next when one fails)
`;

// Each command's module is loaded only when it runs: `xp2p device` on a small board must not pay for the
// server, the web app's Chromium launcher or the benchmarks (measured: 25 MB of RSS, see bench-agent).
type Command = (argv: string[]) => Promise<void>;
const commands: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  server: async () => (await import('./commands/server.js')).serverCommand,
  device: async () => (await import('./commands/device.js')).deviceCommand,
  play: async () => (await import('./commands/play.js')).playCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  'bench-swarm': async () => (await import('./commands/bench-swarm.js')).benchSwarmCommand,
  'bench-size': async () => (await import('./commands/bench-size.js')).benchSizeCommand,
  'bench-agent': async () => (await import('./commands/bench-agent.js')).benchAgentCommand,
  'bench-path': async () => (await import('./commands/bench-path.js')).benchPathCommand,
  'bench-report': async () => (await import('./commands/bench-report.js')).benchReportCommand,
  cmd: async () => (await import('./commands/cmd.js')).cmdCommand,
  download: async () => (await import('./commands/download.js')).downloadCommand,
  talk: async () => (await import('./commands/talk.js')).talkCommand,
  records: async () => (await import('./commands/records.js')).recordsCommand,
  publish: async () => (await import('./commands/publish.js')).publishCommand,
  'publish-key': async () => (await import('./commands/publish.js')).publishKeyCommand,
  watch: async () => (await import('./commands/watch.js')).watchCommand,
  'bench-accounts': async () => (await import('./commands/bench-accounts.js')).benchAccountsCommand,
  app: async () => (await import('./commands/accounts.js')).appCommand,
  user: async () => (await import('./commands/accounts.js')).userCommand,
  share: async () => (await import('./commands/accounts.js')).shareCommand,
  unshare: async () => (await import('./commands/accounts.js')).unshareCommand,
  audit: async () => (await import('./commands/accounts.js')).auditCommand,
  stream: async () => (await import('./commands/accounts.js')).streamCommand,
  'device-accounts': async () => (await import('./commands/accounts.js')).deviceAccountsCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  // `xp2p device add|remove|list` are accounts commands; the bare `xp2p device` runs the camera agent
  const load =
    name === 'device' && ['add', 'remove', 'list'].includes(rest[0] ?? '')
      ? commands['device-accounts']
      : commands[name];
  if (!load) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  checkCommandTransport(name, rest);
  const command = await load();
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
