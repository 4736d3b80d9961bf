/**
 * The operator settings of one server process, from three layers: the config file's `server` object, then
 * the environment (`XP2P_*`), then command-line flags, each overriding the one before. Every value is
 * validated where it comes from, so an error names the exact field: `XP2P_PORT: …`, `--tls-key: …` or
 * `server.port: …`.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { LOG_LEVELS, type LogFormat } from '../ops/logger.js';
import { stunUrlSchema, type XP2PConfig } from './schema.js';

/** Where and how a server listens, resolved from config file, XP2P_* environment and flags (later wins). */
export interface ServerSettings {
  host: string;
  port: number;
  stunPort: number;
  publicUrl: string | undefined;
  /** STUN URLs advertised to clients (stun/advertised-stun.ts) */
  iceServers: string[] | undefined;
  trustProxy: boolean;
  redis: string | undefined;
  /** the base URL other cluster nodes use to fetch this node's 1vN streams */
  clusterUrl: string | undefined;
  tls: { certFile: string; keyFile: string } | undefined;
  webRoot: string | undefined;
  logFormat: LogFormat;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** Each setting: its env name, its flag name, and how a string from either is checked and converted. */
const port = z.coerce.number().int('must be an integer').min(0, 'must be 0–65535').max(65535, 'must be 0–65535');
const FIELDS = {
  host: { env: 'XP2P_HOST', flag: 'host', parse: z.string().min(1) },
  port: { env: 'XP2P_PORT', flag: 'port', parse: port },
  stunPort: { env: 'XP2P_STUN_PORT', flag: 'stun-port', parse: port },
  publicUrl: {
    env: 'XP2P_PUBLIC_URL',
    flag: 'public-url',
    parse: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  },
  iceServers: {
    env: 'XP2P_ICE_SERVERS',
    flag: 'ice-servers',
    // a comma list from the environment or a flag, an array from the config file
    parse: z
      .union([z.array(z.string()), z.string().transform((v) => v.split(',').map((u) => u.trim()))])
      .pipe(z.array(stunUrlSchema).min(1, 'give at least one stun: URL').max(8, 'at most 8 URLs')),
  },
  trustProxy: {
    env: 'XP2P_TRUST_PROXY',
    flag: 'trust-proxy',
    parse: z
      .union([z.boolean(), z.enum(['1', 'true', 'yes', '0', 'false', 'no'], 'must be true or false')])
      .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes'),
  },
  redis: {
    env: 'XP2P_REDIS',
    flag: 'redis',
    parse: z.url({ protocol: /^rediss?$/, error: 'must be a redis://host:port URL' }),
  },
  clusterUrl: {
    env: 'XP2P_CLUSTER_URL',
    flag: 'cluster-url',
    parse: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  },
  tlsCert: { env: 'XP2P_TLS_CERT', flag: 'tls-cert', parse: z.string().min(1) },
  tlsKey: { env: 'XP2P_TLS_KEY', flag: 'tls-key', parse: z.string().min(1) },
  webRoot: { env: 'XP2P_WEB_ROOT', flag: 'web-root', parse: z.string().min(1) },
  logFormat: { env: 'XP2P_LOG_FORMAT', flag: 'log-format', parse: z.enum(['json', 'text'], 'must be json or text') },
  logLevel: {
    env: 'XP2P_LOG_LEVEL',
    flag: 'log-level',
    parse: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
  },
} as const;
type Field = keyof typeof FIELDS;

/** The CLI flag names this module understands (the server command declares them all as strings). */
export const SERVER_SETTING_FLAGS: readonly string[] = Object.values(FIELDS).map((f) => f.flag);

/** Resolves {@link ServerSettings} from the config file's `server` object, the environment and flags; a bad value throws naming its source. */
export function resolveServerSettings(
  config: XP2PConfig,
  env: Readonly<Record<string, string | undefined>>,
  flags: Readonly<Record<string, string | boolean | undefined>>,
): ServerSettings {
  const s = config.server;
  const fromFile: Partial<Record<Field, unknown>> = {
    host: s.host,
    port: s.port,
    stunPort: s.stunPort,
    publicUrl: s.publicUrl,
    iceServers: s.iceServers,
    trustProxy: s.trustProxy,
    redis: s.redis,
    clusterUrl: s.clusterUrl,
    tlsCert: s.tls?.cert,
    tlsKey: s.tls?.key,
    webRoot: s.webRoot,
    logFormat: s.logFormat,
    logLevel: s.logLevel,
  };
  const value = <F extends Field>(field: F): z.output<(typeof FIELDS)[F]['parse']> | undefined => {
    const { env: envName, flag, parse } = FIELDS[field];
    const layers: [string, unknown][] = [
      [`--${flag}`, flags[flag]],
      [envName, env[envName] === '' ? undefined : env[envName]],
      [
        `server.${field === 'tlsCert' ? 'tls.cert' : field === 'tlsKey' ? 'tls.key' : field} (config file)`,
        fromFile[field],
      ],
    ];
    const found = layers.find(([, v]) => v !== undefined);
    if (!found) return undefined;
    const parsed = (parse as z.ZodType).safeParse(found[1]);
    if (!parsed.success) {
      throw new ConfigError(
        `${found[0]}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(found[1])})`,
      );
    }
    return parsed.data as z.output<(typeof FIELDS)[F]['parse']>;
  };
  const certFile = value('tlsCert');
  const keyFile = value('tlsKey');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(
      `${certFile === undefined ? '--tls-cert' : '--tls-key'}: TLS needs both a certificate and a key`,
    );
  }
  return {
    host: value('host') ?? s.host,
    port: value('port') ?? s.port,
    stunPort: value('stunPort') ?? s.stunPort,
    publicUrl: value('publicUrl'),
    iceServers: value('iceServers'),
    trustProxy: value('trustProxy') ?? false,
    redis: value('redis'),
    clusterUrl: value('clusterUrl'),
    tls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    webRoot: value('webRoot'),
    logFormat: value('logFormat') ?? 'text',
    logLevel: value('logLevel') ?? 'info',
  };
}
