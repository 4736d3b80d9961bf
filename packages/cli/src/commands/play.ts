import { startPlayerBridge } from '@xp2p/player';
import { liveQuery } from '@xp2p/protocol';
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import { parseArgs } from 'node:util';
import { CLI_DEFAULTS, commonOptions, defaultBindAddress } from '../args.js';
import { appParamsFrom, readDevConfig, splitDeviceId } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';

export async function playCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      'bridge-port': { type: 'string', default: String(CLI_DEFAULTS.bridgePort) },
      params: { type: 'string', default: liveQuery() },
      'allow-origin': { type: 'string', multiple: true, default: [] },
    },
  });
  const { productId, deviceName } = splitDeviceId(positionals[0]);
  const app = appParamsFrom(await readDevConfig(values.data), values.server);
  const p2p = createNodeP2PModule({ bindAddress: defaultBindAddress(values.server, values.bind) });
  const code = await p2p.init({ appParams: app });
  if (code !== 0) throw new Error(`init failed (${code})`);
  const bridge = await startPlayerBridge({
    p2p,
    port: Number(values['bridge-port']),
    allowedOrigins: values['allow-origin'],
    resolveXp2pInfo: async (p, d) => (await fetchXp2pInfo(app, { productId: p, deviceName: d })).xp2pInfo,
    log: (line) => console.log(line),
  });
  console.log(`play: ${bridge.liveUrl(productId, deviceName, values.params)}`);
  console.log('open it with ffplay, VLC or mpv');
  runUntilSignal([() => bridge.close(), () => p2p.destroy()], cleanupNodeWebRTC);
}
