import { cleanupWebRTC, openCameraFeed, startDeviceAgent } from '@xp2p/device';
import { defaultBindAddress, parse } from '../args.js';
import { deviceFrom, readDevConfig } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';

export async function deviceCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    product: { type: 'string', default: 'demo' },
    name: { type: 'string', default: 'cam1' },
    secret: { type: 'string' },
    source: { type: 'string', default: 'sample' },
    'max-viewers': { type: 'string' },
    version: { type: 'string' },
  });
  const secret = values.secret ?? deviceFrom(await readDevConfig(values.data), values.product, values.name).secret;
  const camera = await openCameraFeed(values.source, (line) => console.log(line));
  console.log(`source: ${camera.description}`);
  const agent = startDeviceAgent({
    serverUrl: values.server,
    productId: values.product,
    deviceName: values.name,
    secret,
    feed: camera.feed,
    version: values.version,
    maxLiveViewers: values['max-viewers'] !== undefined ? Number(values['max-viewers']) : undefined,
    bindAddress: defaultBindAddress(values.server, values.bind),
    log: (line) => console.log(line),
  });
  await agent.whenOnline();
  console.log(`device: ${values.product}/${values.name} online at ${values.server}`);
  runUntilSignal([() => camera.close(), () => agent.close()], cleanupWebRTC);
}
