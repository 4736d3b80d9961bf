/** Flags shared by every command, with the defaults that make them work after `npm start`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InsecureTransportError, requireSecureUrls } from '@xp2p/protocol';

export const CLI_DEFAULTS = Object.freeze({
  server: 'http://127.0.0.1:18080',
  data: '.xp2p',
  bridgePort: 16080,
  /** `xp2p server` on SIGTERM/SIGINT: the server drains within its own bound; this is the last resort if even that hangs. */
  serverHardExitMs: 15_000,
  /** `xp2p download`: an interrupted download resumes on its own this many times (like wget) … */
  downloadResumeAttempts: 5,
  /** … this long apart. */
  downloadResumeDelayMs: 1_000,
  /** `xp2p talk`: after the file ends, the last frames and the end marker get this long to leave. */
  talkDrainMs: 300,
  /** `xp2p bench`: a server, camera or publisher process that prints no ready line by then failed to start. */
  benchStartTimeoutMs: 20_000,
  /** `xp2p bench`: after a camera or publisher starts, time to log in and fill its GOP cache. */
  benchWarmupMs: 1_500,
  /** `xp2p bench`, real 1vN: one peer joins this long after the previous one … */
  benchPeerJoinGapMs: 300,
  /** … and the peers' goodbyes get this long to reach the server before its figures are read. */
  benchSettleMs: 500,
});

export const commonOptions = {
  server: { type: 'string', default: CLI_DEFAULTS.server },
  data: { type: 'string', default: CLI_DEFAULTS.data },
  bind: { type: 'string' },
  /** allow http:// and ws:// to other machines (protocol/secure-transport.ts) */
  insecure: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/**
 * Where ICE gathers candidates. With a server on loopback everything is on this host, so gather on
 * 127.0.0.1 only (fast, and no traffic leaves the machine); otherwise every interface.
 */
export function defaultBindAddress(serverUrl: string, explicit: string | undefined): string | undefined {
  if (explicit) return explicit;
  if (process.env.XP2P_BIND_ADDRESS) return process.env.XP2P_BIND_ADDRESS;
  const host = new URL(serverUrl.split(',')[0]!.trim()).hostname; // the first of a cluster's nodes
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? '127.0.0.1' : undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Every command's URLs pass the plaintext policy before anything connects: --server (all nodes) and, for
 * `watch`, its stream URLs. The server command checks its own listening address (startServer).
 */
export function checkCommandTransport(command: string, argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { server: { type: 'string' }, insecure: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
  });
  const urls: string[] = [];
  if (typeof values.server === 'string') urls.push(...values.server.split(','));
  if (command === 'watch' && positionals[0]) urls.push(...positionals[0].split(','));
  try {
    requireSecureUrls(urls.map((u) => u.trim()).filter(Boolean), values.insecure === true);
  } catch (err) {
    if (err instanceof InsecureTransportError) throw new UsageError(err.message);
    throw err;
  }
}
