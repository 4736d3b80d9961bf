import { parseArgs } from 'node:util';
import { ensureDevConfig, startServer } from '@xp2p/server';
import { commonOptions } from '../args.js';
import { runUntilSignal } from '../lifecycle.js';

export async function serverCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      port: { type: 'string' },
      host: { type: 'string' },
      'stun-port': { type: 'string' },
    },
  });
  const { config, path, created } = await ensureDevConfig(values.data);
  console.log(`config: ${path}${created ? ' (created, with development credentials)' : ''}`);
  const server = await startServer({
    config,
    host: values.host ?? config.server.host,
    port: values.port !== undefined ? Number(values.port) : config.server.port,
    stunPort: values['stun-port'] !== undefined ? Number(values['stun-port']) : config.server.stunPort,
    log: (line) => console.log(line),
  });
  console.log(`server: ${server.url}`);
  console.log(`stun: udp ${server.stunPort}`);
  runUntilSignal([() => server.close()]);
}
