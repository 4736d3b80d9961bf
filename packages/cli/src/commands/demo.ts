/**
 * `xp2p demo` (what `npm start` runs): the server, a demo camera and the player bridge in one process,
 * with a development config written on first start. The camera's stream reaches the bridge over a real
 * WebRTC data channel, exactly as it would across the internet.
 */
import { parseArgs } from 'node:util';
import { cleanupWebRTC, openCameraFeeds, sourceFromSpec, startDeviceAgent } from '@xp2p/device';
import { startPlayerBridge } from '@xp2p/player';
import { createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import { ensureDevConfig, splitLegacyConfig, startServer } from '@xp2p/server';
import { webRoot } from '@xp2p/web';
import { CLI_DEFAULTS, commonOptions } from '../args.js';
import { cameraStorage, cameraStorageOptions } from '../camera-storage.js';
import { appParamsFrom, deviceFrom, readDevConfig } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';
import { webSignInLine } from '../web-sign-in.js';

const DEMO_CAMERA_SOURCES = [
  '0:high=sample',
  '0:standard=sample-standard',
  '1:high=sample-ch1',
  '1:standard=sample-ch1-standard',
];

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      ...cameraStorageOptions,
      port: { type: 'string' },
      'stun-port': { type: 'string' },
      'bridge-port': { type: 'string', default: String(CLI_DEFAULTS.bridgePort) },
      source: { type: 'string', default: 'sample' },
      quiet: { type: 'boolean', default: false },
      db: { type: 'string' },
    },
  });
  const log = values.quiet ? () => {} : (line: string) => console.log(`  ${line}`);
  const { config: serverConfig, path, created } = await ensureDevConfig(values.data);
  console.log(`config: ${path}${created ? ' (created, with development credentials)' : ''}`);
  const server = await startServer({
    config: serverConfig,
    host: serverConfig.server.host,
    port: values.port !== undefined ? Number(values.port) : serverConfig.server.port,
    stunPort: values['stun-port'] !== undefined ? Number(values['stun-port']) : serverConfig.server.stunPort,
    log,
    webRoot: webRoot(),
    dataDir: values.data,
    ...(values.db !== undefined ? { db: values.db } : {}),
  });
  await splitLegacyConfig(values.data, serverConfig);
  const config = await readDevConfig(values.data);
  const closers: (() => Promise<void> | void)[] = [() => server.close()];
  runUntilSignal(closers, cleanupWebRTC);

  // A live stream `demo` on the origin, for 1vN viewers (`xp2p watch .../live/demo.flv`).
  const demoStream = server.origin.openPublisher('demo');
  const streamSource = sourceFromSpec(values.source);
  streamSource.start({ onTag: (tag) => demoStream.push(tag), onEnd: () => demoStream.end() });
  closers.push(async () => {
    await streamSource.stop();
    demoStream.end();
  });

  const demoDevice = deviceFrom(config, 'demo', 'cam1');
  // The bundled demo camera has two channels in two qualities (standard at 320x180); another --source
  // makes it a one-source camera.
  const camera = await openCameraFeeds(values.source === 'sample' ? DEMO_CAMERA_SOURCES : [values.source], log);
  closers.push(() => camera.close());
  const storage = await cameraStorage(
    values,
    demoDevice,
    log,
    camera.streams.map((s) => s.channel),
  );
  const agent = startDeviceAgent({
    ...storage,
    serverUrl: server.url,
    productId: demoDevice.productId,
    deviceName: demoDevice.deviceName,
    secret: demoDevice.secret,
    streams: camera.streams,
    bindAddress: '127.0.0.1',
    log,
  });
  closers.push(() => agent.close());
  await agent.whenOnline();

  // The bridge is a Node program of the demo's own: it may hold the app secret. The browser never does.
  const app = appParamsFrom(config, server.url);
  const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
  await p2p.init({ appParams: app });
  closers.push(() => p2p.destroy());
  const bridge = await startPlayerBridge({
    p2p,
    port: Number(values['bridge-port']),
    resolveXp2pInfo: async (p, d) => (await fetchXp2pInfo(app, { productId: p, deviceName: d })).xp2pInfo,
    log,
  });
  closers.push(() => bridge.close());

  console.log(`server: ${server.url}`);
  console.log(
    `camera: ${demoDevice.productId}/${demoDevice.deviceName} (${camera.descriptions.join(', ')}; ${storage.describe})`,
  );
  console.log(await webSignInLine(server, values.data));
  console.log(`play: ${bridge.liveUrl(demoDevice.productId, demoDevice.deviceName)}`);
  const pk = server.origin.stream('demo')?.publicKey;
  console.log(
    `live: ${server.url}/live/demo.flv${pk ? `?pk=${pk}` : ''} (1vN stream; xp2p watch shares it over a mesh)`,
  );
  console.log('open the play URL with ffplay, VLC or mpv; Ctrl-C stops everything');
}
