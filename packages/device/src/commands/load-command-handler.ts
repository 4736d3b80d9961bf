/**
 * Turns a `--on-command` value into a CommandHandler:
 *   path/to/handler.mjs (.js, .cjs)   a module whose default export is the handler function
 *   anything else                     a command line run through `sh -c` for each command: the command
 *                                     text on its stdin, its stdout the answer (exit 0 = 200, nothing
 *                                     printed = 404, non-zero exit = 500); XP2P_SESSION_ID, XP2P_CHANNEL and
 *                                     XP2P_USER_ARGS in its environment
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEVICE_DEFAULTS } from '../defaults.js';
import { killGroup, spawnShellGroup } from '../process/process-group.js';
import { CommandHandlerError, type CommandContext, type CommandHandler } from './user-command.js';

export async function loadCommandHandler(spec: string): Promise<CommandHandler> {
  if (/\.(m?js|cjs)$/i.test(spec) && existsSync(spec)) {
    const mod = (await import(pathToFileURL(resolve(spec)).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') throw new CommandHandlerError(`${spec} has no default export function`);
    return mod.default as CommandHandler;
  }
  return scriptCommandHandler(spec);
}

export function scriptCommandHandler(
  commandLine: string,
  o: { timeoutMs?: number; maxAnswerBytes?: number } = {},
): CommandHandler {
  const timeoutMs = o.timeoutMs ?? DEVICE_DEFAULTS.commandTimeoutMs;
  const maxAnswerBytes = o.maxAnswerBytes ?? DEVICE_DEFAULTS.commandMaxAnswerBytes;
  return (cmd: string, ctx: CommandContext) =>
    new Promise((resolvePromise, reject) => {
      const child = spawnShellGroup(commandLine, {
        stdio: ['pipe', 'pipe', 'ignore'],
        env: {
          ...process.env,
          XP2P_SESSION_ID: ctx.sessionId,
          XP2P_CHANNEL: String(ctx.channel),
          XP2P_USER_ARGS: ctx.userArgs ?? '',
        },
      });
      const out: Buffer[] = [];
      let size = 0;
      let failure: Error | undefined;
      // The script's own limit, shorter than the request's, so the process is gone before the 504.
      const timer = setTimeout(
        () => {
          failure = new CommandHandlerError(`command script took over ${timeoutMs} ms`, true);
          killGroup(child);
        },
        Math.max(1, timeoutMs - 100),
      );
      // a script that exits leaving children behind: they go with it (they would hold stdout open)
      child.on('exit', () => killGroup(child));
      child.stdout!.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > maxAnswerBytes) {
          failure ??= new CommandHandlerError(`command script answered over ${maxAnswerBytes} bytes`);
          killGroup(child);
          return;
        }
        out.push(chunk);
      });
      child.stdin!.on('error', () => {}); // a script that does not read its stdin
      child.stdin!.end(cmd);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (failure) return reject(failure);
        if (code !== 0) return reject(new CommandHandlerError(`command script exited with ${String(code)}`));
        const body = Buffer.concat(out).toString('utf8');
        if (body.length === 0) return resolvePromise(undefined);
        resolvePromise({ body, contentType: looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8' });
      });
    });
}

function looksLikeJson(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
