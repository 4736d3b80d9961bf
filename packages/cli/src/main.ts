#!/usr/bin/env node
/** `xp2p` — one command for every part: demo, server, device, play. */
import { describeError } from '@xp2p/protocol';
import { checkCommandTransport, UsageError } from './args.js';
import { benchCommand } from './commands/bench.js';
import { benchSwarmCommand } from './commands/bench-swarm.js';
import { benchPathCommand } from './commands/bench-path.js';
import { benchReportCommand } from './commands/bench-report.js';
import { cmdCommand } from './commands/cmd.js';
import { downloadCommand } from './commands/download.js';
import { publishCommand, publishKeyCommand } from './commands/publish.js';
import { recordsCommand } from './commands/records.js';
import { talkCommand } from './commands/talk.js';
import { watchCommand } from './commands/watch.js';
import { demoCommand } from './commands/demo.js';
import { deviceCommand } from './commands/device.js';
import { playCommand } from './commands/play.js';
import { serverCommand } from './commands/server.js';

const USAGE = `usage: xp2p <command> [flags]

  demo                      server + demo camera (demo/cam1) + player bridge; prints web: and play: URLs
  server [--port 18080] [--stun-port 3478] [--host 127.0.0.1] [--config FILE] [--redis redis://H:P]
         [--cluster-url URL] [--tls-cert F --tls-key F] [--public-url URL] [--ice-servers stun:H:P,...]
         [--trust-proxy] [--web-root DIR] [--log-format json|text] [--pull NAME=URL ...] [--pull-idle-seconds 30]
  device [--server URL[,URL...]] [--product demo --name cam1] [--source sample|testsrc|FILE|URL] [--max-viewers 4]
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
  publish-key NAME           prints the stream's publish key (ffmpeg -f flv http://HOST/live/NAME?key=KEY)
  watch http://host:18080/live/NAME.flv[,URL on another node...] [--listen 127.0.0.1:PORT] [--no-upload]   a 1vN peer; prints play: and stats
  bench [--runs 25]          TTFF over P2P vs direct HTTP-FLV; writes BENCHMARKS.md, bench/results.json
  bench-swarm [--sizes 10,50,200,1000] [--runs 3] [--large-runs 1] [--no-write]
                             1vN simulation only; updates its figures in BENCHMARKS.md, bench/results.json
  bench-path <productId>/<deviceName> [--runs 10] [--warm-runs 0] [--download FILE]
                             one viewer's cold/warm TTFF and download rate as JSON lines (npm run bench:lab)
  bench-report FIGURES.json  merges figures into bench/results.json and rewrites BENCHMARKS.md

every command: --server URL (default http://127.0.0.1:18080), --data DIR (default .xp2p), --bind ADDR,
  --insecure (allow http:// and ws:// to another machine; refused without it, as the server refuses to
  listen in plaintext off loopback without TLS or an https --public-url)
  (the device and viewer commands take several cluster nodes, URL,URL,...: they move to the next when one fails)
`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  demo: demoCommand,
  server: serverCommand,
  device: deviceCommand,
  play: playCommand,
  bench: benchCommand,
  'bench-swarm': benchSwarmCommand,
  'bench-path': benchPathCommand,
  'bench-report': benchReportCommand,
  cmd: cmdCommand,
  download: downloadCommand,
  talk: talkCommand,
  records: recordsCommand,
  publish: publishCommand,
  'publish-key': publishKeyCommand,
  watch: watchCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  checkCommandTransport(name, rest);
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
