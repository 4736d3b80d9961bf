import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { cleanupWebRTC, isFingerprint, openCameraFeeds, startDeviceAgent, startDirectHttp } from '@xp2p/device';
import { parseServerUrls } from '@xp2p/protocol';
import { commonOptions, defaultBindAddress, UsageError } from '../args.js';
import { cameraStorage, cameraStorageOptions } from '../camera-storage.js';
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
      // the secret in a file (a systemd credential) or XP2P_DEVICE_SECRET: never on argv, which ps shows
      'secret-file': { type: 'string' },
      source: { type: 'string', multiple: true, default: ['sample'] },
      'max-viewers': { type: 'string' },
      // 1v1 → 1vN off: a viewer beyond --max-viewers gets 503 instead of the camera's 1vN stream
      'no-one-to-many': { type: 'boolean' },
      version: { type: 'string' },
      'http-port': { type: 'string' },
      'nat-reprobe-ms': { type: 'string' },
      'server-ca': { type: 'string' },
      'server-fingerprint': { type: 'string' },
    },
  });
  let servers: string[];
  try {
    servers = parseServerUrls(values.server);
  } catch (err) {
    throw new UsageError(`--server: ${(err as Error).message}`);
  }
  const fingerprint = values['server-fingerprint'];
  if (fingerprint !== undefined && !isFingerprint(fingerprint)) {
    throw new UsageError('--server-fingerprint: a SHA-256 fingerprint, 64 hex digits (colons allowed)');
  }
  const serverCa = values['server-ca'] !== undefined ? await readFile(values['server-ca']) : undefined;
  const secret =
    process.env.XP2P_DEVICE_SECRET ??
    (values['secret-file'] !== undefined ? readSecretFile(values['secret-file']) : undefined) ??
    (await secretFromDevConfig(values.data, values.product, values.name));
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
    insecure: values.insecure,
    serverCa,
    serverFingerprint: fingerprint,
    productId: values.product,
    deviceName: values.name,
    secret,
    streams: camera.streams,
    version: values.version,
    maxLiveViewers: values['max-viewers'] !== undefined ? Number(values['max-viewers']) : undefined,
    ...(values['no-one-to-many'] ? { oneToManyWhenFull: false } : {}),
    bindAddress: defaultBindAddress(servers[0]!, values.bind),
    natReprobeMs: values['nat-reprobe-ms'] !== undefined ? Number(values['nat-reprobe-ms']) : undefined,
    log: (line) => console.log(line),
  });
  const closers: (() => Promise<void>)[] = [() => camera.close(), () => agent.close()];
  if (values['http-port'] !== undefined) {
    // plain HTTP-FLV of channel 0's best quality, for a baseline: on the camera's own address when it has
    // one (--bind), as an IP camera's LAN endpoint
    const direct = await startDirectHttp(
      camera.streams[0]!.feed,
      Number(values['http-port']),
      values.bind ?? '127.0.0.1',
    );
    closers.push(() => direct.close());
    console.log(`http-flv: ${direct.url}`);
  }
  runUntilSignal(closers, cleanupWebRTC);
  await agent.whenOnline();
  console.log(`device: ${values.product}/${values.name} online at ${values.server}`);
}

function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`--secret-file: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!text) throw new UsageError(`--secret-file: ${path} is empty`);
  return text;
}

/** The demo's secret from the development config; loaded only then, as reading it pulls in the server package. */
async function secretFromDevConfig(dataDir: string, productId: string, deviceName: string): Promise<string> {
  const { deviceFrom, readDevConfig } = await import('../dev-config.js');
  return deviceFrom(await readDevConfig(dataDir), productId, deviceName).secret;
}
