/**
 * `xp2p bench-path <productId>/<deviceName>`: the 1v1 figures of one viewer host, for a bench that puts
 * the viewer on a long path (npm run bench:lab runs it inside the NAT lab's viewer namespace). Prints one
 * JSON line per measurement, so the caller takes medians over the runs:
 *   {"cold": ColdRun}   startP2PService → first keyframe, signalling already open (`--from init`: before init;
 *                       `--start-relay off`: every byte waits for P2P, the relay-first start's baseline)
 *   {"warm": ms, "warmFirstByte": ms}   startP2PStream → first keyframe (and first byte) on one pre-connected
 *                       service
 *   {"download": MB/s}  `--download FILE` from the camera's store, from the first byte to the end
 * A run that fails prints {"error": "..."} and the next one goes on.
 */
import { parseArgs } from 'node:util';
import { cleanupNodeWebRTC } from '@xp2p/sdk/node';
import { commonOptions, defaultBindAddress } from '../args.js';
import { p2pDownloadMBps } from '../bench/one-to-one.js';
import { coldP2P, warmP2P } from '../bench/ttff.js';
import { appParamsFrom, readDevConfig, splitDeviceId } from '../dev-config.js';

const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

export async function benchPathCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      runs: { type: 'string', default: '10' },
      'warm-runs': { type: 'string', default: '0' },
      from: { type: 'string', default: 'start' },
      'start-relay': { type: 'string', default: 'on' },
      download: { type: 'string' },
      'download-runs': { type: 'string', default: '1' },
    },
  });
  const device = splitDeviceId(positionals[0]);
  const app = appParamsFrom(await readDevConfig(values.data), values.server);
  const bindAddress = defaultBindAddress(values.server, values.bind);
  const from = values.from === 'init' ? 'init' : 'start';
  const startRelay = values['start-relay'] !== 'off';
  const attempt = async (what: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      say({ error: `${what}: ${(err as Error).message}` });
    }
  };
  try {
    for (let i = 0; i < Number(values.runs); i++) {
      await attempt('cold', async () => say({ cold: await coldP2P(app, device, { bindAddress, from, startRelay }) }));
    }
    if (Number(values['warm-runs']) > 0) {
      await attempt('warm', async () => {
        for (const run of await warmP2P(app, device, Number(values['warm-runs']), bindAddress)) {
          say({ warm: run.firstKeyframe, warmFirstByte: run.firstByte });
        }
      });
    }
    const file = values.download;
    for (let i = 0; file && i < Number(values['download-runs']); i++) {
      await attempt('download', async () =>
        say({ download: await p2pDownloadMBps(app, device, file, { bindAddress, from: 'first-byte' }) }),
      );
    }
  } finally {
    cleanupNodeWebRTC();
  }
}
