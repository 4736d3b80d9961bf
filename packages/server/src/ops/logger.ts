/**
 * The server's one log function. Handlers keep calling `log(line)` with a human-readable line; this turns
 * each line into a leveled event for pino (structured JSON for log shippers) and/or hands it to the
 * caller's line sink (the CLI prints those). The level comes from what the line says; secrets that could
 * appear in a line (query keys, tokens, signatures) are scrubbed before it goes anywhere, and control
 * characters (a client's newline would forge a log line) are escaped.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

/** `json` (pino lines) or `text` (plain lines). */
export type LogFormat = 'json' | 'text';
/** pino's levels, for --log-level. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const SECRET_IN_TEXT = /\b(key|token|signature|secret|proof|appSecretKey|nonce)=([^&\s"]+)/gi;

/** Replaces the value of any `key=…`-like pair with a mark, so a logged URL never leaks a credential. */
export const scrubSecrets = (line: string): string => line.replace(SECRET_IN_TEXT, '$1=[redacted]');

// eslint-disable-next-line no-control-regex -- these are exactly what must not reach a log line raw
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

/** One log line stays one line: newlines and other control characters (from clients) are escaped. */
export const escapeControls = (line: string): string =>
  line.replace(CONTROL, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

type Level = 'error' | 'warn' | 'info' | 'debug';

export function levelOf(line: string): Level {
  if (/internal error|crash|uncaught/i.test(line)) return 'error';
  if (/refused|evicted|socket error|invalid messages|unreachable|failed|timeout|too many|down/i.test(line))
    return 'warn';
  if (/^peer [0-9a-f]{8} (joined|left|disconnected)/.test(line)) return 'debug';
  return 'info';
}

/** A pino logger writing JSON lines to stdout; `redact` also covers structured fields named like secrets. */
export function createJsonLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'xp2p-server' },
    redact: {
      paths: ['*.secret', '*.token', '*.appSecretKey', '*.publishKey', '*.signature', '*.key'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function createLog(options: {
  sink?: ((line: string) => void) | undefined;
  logger?: Logger | undefined;
}): (line: string) => void {
  const { sink, logger } = options;
  return (raw) => {
    const line = escapeControls(scrubSecrets(raw));
    sink?.(line);
    if (logger) logger[levelOf(line)](line);
  };
}
