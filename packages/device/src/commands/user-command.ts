/**
 * `ipc.flv?action=user_define&cmd=...`: a custom command, handed to the camera app's CommandHandler.
 * The answer is the handler's body with its status (default 200) and content type. No handler, or a
 * handler that answers nothing → 404; a handler that throws → 500; one that takes too long → 504;
 * cmd over 4 KiB → 413. The camera keeps running whatever the handler does.
 */
import { utf8Encode } from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from '../defaults.js';
import { sendJsonError } from '../http-like.js';
import type { RequestContext, ResponseWriter } from '../response-writer.js';

/** A command script failed or ran out of time (loadCommandHandler's handlers throw it). */
export class CommandHandlerError extends Error {
  constructor(
    message: string,
    /** The script ran out of time (answered 504, like a handler that never returns). */
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'CommandHandlerError';
  }
}

export interface CommandContext extends RequestContext {
  channel: number;
  /** The request's opaque `user_args`, if any. */
  userArgs: string | undefined;
}

export interface CommandAnswer {
  /** Default 200. */
  status?: number;
  body: string | Uint8Array;
  /** Default text/plain for a string body, application/octet-stream for bytes. */
  contentType?: string;
}

/** A string is shorthand for `{ body: string }`; undefined means "no such command" (404). */
export type CommandResult = CommandAnswer | string | undefined | void;
export type CommandHandler = (cmd: string, ctx: CommandContext) => CommandResult | Promise<CommandResult>;

export interface UserCommandOptions {
  maxCmdBytes?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

class CommandTimeout extends Error {}

export async function serveUserCommand(
  handler: CommandHandler | undefined,
  params: URLSearchParams,
  res: ResponseWriter,
  ctx: CommandContext,
  options: UserCommandOptions = {},
): Promise<void> {
  const maxBytes = options.maxCmdBytes ?? DEVICE_DEFAULTS.commandMaxBytes;
  const timeoutMs = options.timeoutMs ?? DEVICE_DEFAULTS.commandTimeoutMs;
  const log = options.log ?? (() => {});
  const cmd = params.get('cmd');
  if (!cmd) return sendJsonError(res, 400, 'cmd is required');
  if (utf8Encode(cmd).byteLength > maxBytes) return sendJsonError(res, 413, `cmd is over ${maxBytes} bytes`);
  if (!handler) return sendJsonError(res, 404, 'this camera has no custom commands');

  let timer: ReturnType<typeof setTimeout> | undefined;
  let result: CommandResult;
  try {
    result = await Promise.race([
      Promise.resolve().then(() => handler(cmd, ctx)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CommandTimeout()), timeoutMs);
      }),
    ]);
  } catch (err) {
    if (err instanceof CommandTimeout || (err instanceof CommandHandlerError && err.timedOut))
      return sendJsonError(res, 504, `command did not answer within ${timeoutMs} ms`);
    log(`custom command failed: ${String(err)}`);
    return sendJsonError(res, 500, 'the command failed on the camera');
  } finally {
    clearTimeout(timer);
  }
  const answer: CommandAnswer | undefined = typeof result === 'string' ? { body: result } : (result ?? undefined);
  if (!answer || answer.body === undefined || answer.body.length === 0) {
    return sendJsonError(res, 404, 'unknown command');
  }
  const status = answer.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    log(`custom command answered an invalid status ${String(status)}`);
    return sendJsonError(res, 500, 'the command answered an invalid status');
  }
  const body = typeof answer.body === 'string' ? utf8Encode(answer.body) : answer.body;
  const contentType =
    answer.contentType ?? (typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
  res.head(status, { 'content-type': contentType.slice(0, 256), 'content-length': String(body.byteLength) });
  res.write(body);
  res.end();
}
