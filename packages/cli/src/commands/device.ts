import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cleanupWebRTC, openCameraFeeds, startDeviceAgent, startDirectHttp } from '@xp2p/device';
import { parseServerUrls } from '@xp2p/protocol';
import { commonOptions, defaultBindAddress, UsageError } from '../args.js';
import { cameraStorage, cameraStorageOptions } from '../camera-storage.js';
import { deviceFrom, readDevConfig } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';

export async function deviceCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      ...cameraStorageOptions,
      product: { type: 'string', default: 'demo' },
      name: { type: 'string', default: 'cam1' },
      'secret-file': { type: 'string' },
      source: { type: 'string', multiple: true, default: ['sample'] },
      'max-viewers': { type: 'string' },
      version: { type: 'string' },
      'http-port': { type: 'string' },
      'nat-reprobe-ms': { type: 'string' },
    },
  });
  let servers: string[];
  try {
    servers = parseServerUrls(values.server);
  } catch (err) {
    throw new UsageError(`--server: ${(err as Error).message}`);
  }
  // Never from argv: every user of the machine can read a process's arguments (ps).
  const secret =
    process.env.XP2P_DEVICE_SECRET ??
    (values['secret-file'] !== undefined ? (await readFile(values['secret-file'], 'utf8')).trim() : undefined) ??
    deviceFrom(await readDevConfig(values.data), values.product, values.name).secret;
  let camera: Awaited<ReturnType<typeof openCameraFeeds>>;
  try {
    camera = await openCameraFeeds(values.source, (line) => console.log(line));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  console.log(`source: ${camera.descriptions.join(', ')}`);
  const storage = await cameraStorage(
    values,
    { productId: values.product, deviceName: values.name },
    (line) => console.log(line),
    camera.streams.map((s) => s.channel),
  );
  console.log(`storage: ${storage.describe}`);
  const agent = startDeviceAgent({
    ...storage,
    serverUrl: servers,
    productId: values.product,
    deviceName: values.name,
    secret,
    streams: camera.streams,
    version: values.version,
    maxLiveViewers: values['max-viewers'] !== undefined ? Number(values['max-viewers']) : undefined,
    bindAddress: defaultBindAddress(servers[0]!, values.bind),
    natReprobeMs: values['nat-reprobe-ms'] !== undefined ? Number(values['nat-reprobe-ms']) : undefined,
    log: (line) => console.log(line),
  });
  const closers: (() => Promise<void>)[] = [() => camera.close(), () => agent.close()];
  if (values['http-port'] !== undefined) {
    // plain HTTP-FLV of channel 0's best quality, for a baseline on the same machine
    const direct = await startDirectHttp(camera.streams[0]!.feed, Number(values['http-port']));
    closers.push(() => direct.close());
    console.log(`http-flv: ${direct.url}`);
  }
  runUntilSignal(closers, cleanupWebRTC);
  await agent.whenOnline();
  console.log(`device: ${values.product}/${values.name} online at ${values.server}`);
}
