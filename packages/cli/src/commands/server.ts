import { parseArgs } from 'node:util';
import {
  createJsonLogger,
  ensureDevConfig,
  splitLegacyConfig,
  loadConfig,
  resolveServerSettings,
  SERVER_SETTING_FLAGS,
  startServer,
} from '@xp2p/server';
import { CLI_DEFAULTS, commonOptions, UsageError } from '../args.js';
import { webSignInLine } from '../web-sign-in.js';

export async function serverCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      config: { type: 'string' },
      db: { type: 'string' },
      pull: { type: 'string', multiple: true },
      'pull-idle-seconds': { type: 'string' },
      'camera-stream-idle-seconds': { type: 'string' },
      ...Object.fromEntries(SERVER_SETTING_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  // --config FILE (or XP2P_CONFIG) uses an operator's file as is; otherwise the development config in --data.
  const configFile = values.config ?? process.env.XP2P_CONFIG;
  const { config, path, created } = configFile
    ? { config: await loadConfig(configFile), path: configFile, created: false }
    : await ensureDevConfig(values.data);
  const flags = values as unknown as Record<string, string | boolean | undefined>;
  const settings = resolveServerSettings(config, process.env, flags);
  const json = settings.logFormat === 'json';
  const logger = json ? createJsonLogger(settings.logLevel) : undefined;
  const say = (line: string): void => (logger ? logger.info(line) : console.log(line));
  say(`config: ${path}${created ? ' (created, with development credentials)' : ''}`);
  const db = values.db ?? process.env.XP2P_DB;
  if (settings.redis && !db) {
    // The embedded database belongs to one process: nodes of a cluster must share one PostgreSQL.
    throw new UsageError('a cluster (--redis) keeps its accounts in PostgreSQL: pass --db postgres://… too');
  }
  const server = await startServer({
    config,
    dataDir: values.data,
    ...(db ? { db } : {}),
    host: settings.host,
    port: settings.port,
    stunPort: settings.stunPort,
    ...(json ? { logger } : { log: (line: string) => console.log(line) }),
    ...(settings.webRoot ? { webRoot: settings.webRoot } : {}),
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
    ...(settings.iceServers ? { iceServers: settings.iceServers } : {}),
    ...(settings.redis ? { redis: settings.redis } : {}),
    ...(settings.clusterUrl ? { clusterUrl: settings.clusterUrl } : {}),
    trustProxy: settings.trustProxy,
    insecure: values.insecure,
    pulls: pullFlags(values.pull ?? []),
    tuning: {
      ...(values['pull-idle-seconds'] !== undefined
        ? { pullIdleMs: positiveSeconds(values['pull-idle-seconds'], '--pull-idle-seconds') * 1000 }
        : {}),
      ...(values['camera-stream-idle-seconds'] !== undefined
        ? {
            cameraStreamIdleMs:
              positiveSeconds(values['camera-stream-idle-seconds'], '--camera-stream-idle-seconds') * 1000,
          }
        : {}),
    },
  });
  // A data directory from before the accounts database: its apps and devices are in the database now.
  if (!configFile) await splitLegacyConfig(values.data, config);
  say(`accounts: ${db ? 'PostgreSQL' : `embedded database in ${values.data}/db`}`);
  // Printed plainly in both formats: scripts and tests read these two lines.
  console.log(`server: ${server.url}`);
  console.log(`stun: udp ${server.stunPort}`);
  console.log(configFile ? `web: ${server.url}/` : await webSignInLine(server, values.data));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: draining`);
    setTimeout(() => {
      process.stderr.write('drain did not finish in time, exiting\n');
      process.exit(1);
    }, CLI_DEFAULTS.serverHardExitMs).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/** `--pull NAME=URL` (repeatable): 1vN streams the origin pulls from a source while someone watches. */
function pullFlags(flags: string[]): Record<string, string> {
  const pulls: Record<string, string> = {};
  for (const flag of flags) {
    const m = /^([^=]+)=(.+)$/.exec(flag);
    if (!m) throw new UsageError(`--pull takes NAME=URL, got "${flag}"`);
    pulls[m[1]!] = m[2]!;
  }
  return pulls;
}

function positiveSeconds(text: string, flag: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`${flag} takes a number of seconds above 0, got "${text}"`);
  return n;
}
