/**
 * The operator's accounts commands, on a running server's database (through its admin socket in --data)
 * or, when none runs, on the database itself (embedded in --data, or PostgreSQL with --db URL):
 *
 *   xp2p app add NAME | app list
 *   xp2p device add PRODUCT/NAME --app APPID | device remove PRODUCT/NAME | device list [--app APPID]
 *   xp2p user add NAME --app APPID (password on stdin) | user remove NAME
 *   xp2p share PRODUCT/NAME USER --role viewer|operator|owner | unshare PRODUCT/NAME USER
 *   xp2p stream add NAME --app APPID | stream remove NAME | stream list [--app APPID]
 *   xp2p audit [PRODUCT/NAME] [--app APPID] [--limit N]
 *
 * `--json` prints the result as JSON (secrets included where the operation creates them: app add, device add).
 */
import { parseArgs } from 'node:util';
import { AdminError, runOnAccounts, type AdminOperation } from '@xp2p/server';
import { UsageError, commonOptions } from '../args.js';

const options = {
  ...commonOptions,
  json: { type: 'boolean', default: false },
  app: { type: 'string' },
  role: { type: 'string' },
  limit: { type: 'string' },
  db: { type: 'string' },
} as const;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const need = (value: string | undefined, what: string): string => {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
};

/** Turns `<noun> <verb> args…` into one operation; undefined when the words name no accounts command. */
async function operationFrom(
  noun: string,
  words: string[],
  flags: { app?: string; role?: string; limit?: string },
): Promise<AdminOperation> {
  const [verb, first, second] = words;
  switch (`${noun} ${noun === 'share' || noun === 'unshare' || noun === 'audit' ? '' : (verb ?? '')}`.trim()) {
    case 'app add':
      return { op: 'app-add', name: need(first, 'app NAME') };
    case 'app list':
      return { op: 'app-list' };
    case 'device add':
      return { op: 'device-add', device: need(first, 'PRODUCT/NAME'), appid: need(flags.app, '--app APPID') };
    case 'device remove':
      return { op: 'device-remove', device: need(first, 'PRODUCT/NAME') };
    case 'device list':
      return { op: 'device-list', ...(flags.app ? { appid: flags.app } : {}) };
    case 'user add': {
      const password = await readStdin();
      return { op: 'user-add', name: need(first, 'user NAME'), appid: need(flags.app, '--app APPID'), password };
    }
    case 'user remove':
      return { op: 'user-remove', name: need(first, 'user NAME') };
    case 'share': {
      const role = need(flags.role, '--role viewer|operator|owner');
      if (role !== 'viewer' && role !== 'operator' && role !== 'owner') {
        throw new UsageError('--role is viewer, operator or owner');
      }
      return { op: 'share', device: need(verb, 'PRODUCT/NAME'), user: need(first, 'USER'), role };
    }
    case 'unshare':
      return { op: 'unshare', device: need(verb, 'PRODUCT/NAME'), user: need(first, 'USER') };
    case 'stream add':
      return { op: 'stream-add', stream: need(first, 'stream NAME'), appid: need(flags.app, '--app APPID') };
    case 'stream remove':
      return { op: 'stream-remove', stream: need(first, 'stream NAME') };
    case 'stream list':
      return { op: 'stream-list', ...(flags.app ? { appid: flags.app } : {}) };
    case 'audit':
      return {
        op: 'audit',
        ...(verb ? { device: verb } : {}),
        ...(flags.app ? { appid: flags.app } : {}),
        ...(flags.limit ? { limit: Number(flags.limit) } : {}),
      };
    default:
      throw new UsageError(`unknown accounts command "${[noun, verb, second].filter(Boolean).join(' ')}"`);
  }
}

function printHuman(result: unknown): void {
  const rows = Array.isArray(result) ? result : [result];
  for (const row of rows) {
    console.log(
      Object.entries(row as Record<string, unknown>)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
    );
  }
}

/** `noun` is the command word (app, device, user, share, unshare, audit). */
export async function accountsCommand(noun: string, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  const operation = await operationFrom(noun, positionals, values);
  let result: unknown;
  try {
    result = await runOnAccounts({ dataDir: values.data, ...(values.db ? { db: values.db } : {}) }, operation);
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    if (values.json) console.log(JSON.stringify({ error: { status: err.status, message: err.message } }));
    else process.stderr.write(`xp2p: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (values.json) console.log(JSON.stringify(result));
  else printHuman(result);
}

export const appCommand = (argv: string[]): Promise<void> => accountsCommand('app', argv);
export const userCommand = (argv: string[]): Promise<void> => accountsCommand('user', argv);
export const shareCommand = (argv: string[]): Promise<void> => accountsCommand('share', argv);
export const unshareCommand = (argv: string[]): Promise<void> => accountsCommand('unshare', argv);
export const auditCommand = (argv: string[]): Promise<void> => accountsCommand('audit', argv);
export const streamCommand = (argv: string[]): Promise<void> => accountsCommand('stream', argv);
/** `xp2p device add|remove|list` (the bare `xp2p device` runs the camera agent) */
export const deviceAccountsCommand = (argv: string[]): Promise<void> => accountsCommand('device', argv);
