/**
 * Routes a viewer's request (reference-facts.md request paths) to the camera's handlers:
 *   ipc.flv?action=live | playback | download | inner_define | user_define
 *   voice
 * `_crypto=off` is accepted and changes nothing: every byte already travels inside DTLS.
 * A handler's RequestError becomes its status; anything else it throws becomes 500, never a crash.
 */
import { runInnerCommand, type InnerCommandParts } from './commands/inner-commands.js';
import { serveUserCommand, type CommandHandler } from './commands/user-command.js';
import type { DownloadHandler } from './download/download-handler.js';
import { RequestError, sendJson, sendJsonError } from './http-like.js';
import type { LiveHandler } from './live-handler.js';
import { PlaybackHandler } from './playback/playback-handler.js';
import { PlaybackRegistry } from './playback/playback-registry.js';
import type { RecordingsStore } from './recordings/recordings-store.js';
import type { RequestHandler, ResponseWriter } from './response-writer.js';
import { VoiceHandler } from './voice/voice-handler.js';
import { DEVICE_DEFAULTS } from './defaults.js';
import { ONE_TO_MANY_QUERY } from '@xp2p/protocol';

/** A channel's own storage: its recordings (playback, record queries) and the files it serves for download. */
export interface ChannelStorage {
  recordings?: RecordingsStore;
  download?: DownloadHandler;
}

export interface RouterParts extends ChannelStorage {
  live: LiveHandler;
  channels: number;
  /**
   * `recordings` (playback and the record queries; without it those answer 404 / empty lists) and
   * `download` (files of the store directory; without it `download` answers 404) are channel 0's;
   * the other channels' are here. A channel without storage answers like a camera without one.
   */
  otherChannels?: ReadonlyMap<number, ChannelStorage>;
  voice?: VoiceHandler;
  onCommand?: CommandHandler;
  playbacks?: PlaybackRegistry;
  /** Custom commands running at once (all viewers); DEVICE_DEFAULTS.maxConcurrentCommands. */
  maxConcurrentCommands?: number;
  log?: (line: string) => void;
}

type CommandCtx = Parameters<RequestHandler>[3];

export function createRouter(parts: RouterParts): RequestHandler {
  const log = parts.log ?? (() => {});
  const voice = parts.voice ?? new VoiceHandler(undefined);
  const playbacks = parts.playbacks ?? new PlaybackRegistry();
  const storageOf = (channel: number): ChannelStorage =>
    channel === 0 ? parts : (parts.otherChannels?.get(channel) ?? {});
  const playbackOf = new Map<number, PlaybackHandler>();
  const playback = (channel: number): PlaybackHandler => {
    let handler = playbackOf.get(channel);
    if (!handler)
      playbackOf.set(channel, (handler = new PlaybackHandler(storageOf(channel).recordings, playbacks, { log })));
    return handler;
  };
  const inner = (channel: number): InnerCommandParts => ({
    live: parts.live,
    voice,
    store: storageOf(channel).recordings,
    playbacks,
  });
  // A semaphore that refuses rather than queues: a queue of commands is a queue of timeouts.
  const maxCommands = parts.maxConcurrentCommands ?? DEVICE_DEFAULTS.maxConcurrentCommands;
  let commandsRunning = 0;
  const runUserCommand = async (params: URLSearchParams, res: ResponseWriter, ctx: CommandCtx, channel: number) => {
    if (commandsRunning >= maxCommands) {
      return sendJsonError(res, 503, `camera busy: ${maxCommands} commands are running, try again`);
    }
    commandsRunning++;
    try {
      await serveUserCommand(
        parts.onCommand,
        params,
        res,
        { ...ctx, channel, userArgs: params.get('user_args') ?? undefined },
        { log },
      );
    } finally {
      commandsRunning--;
    }
  };

  const route = async (
    path: string,
    params: URLSearchParams,
    res: ResponseWriter,
    ctx: Parameters<RequestHandler>[3],
    channel: number,
  ): Promise<void> => {
    if (path === 'voice') return voice.serve(params, res, ctx);
    if (path !== 'ipc.flv') return res.fail(404, `unknown path ${path}`);
    const action = params.get('action');
    switch (action) {
      case 'live':
        return parts.live.serve(res, channel, params.get('quality'), params.get(ONE_TO_MANY_QUERY) === '1');
      case 'playback':
        return playback(channel).serve(params, res, ctx);
      case 'download': {
        const download = storageOf(channel).download;
        if (!download) return res.fail(404, `channel ${channel} has no file storage`);
        return download.serve(params, res);
      }
      case 'inner_define':
        return sendJson(res, 200, await runInnerCommand(inner(channel), params, { ...ctx, channel }));
      case 'user_define':
        return runUserCommand(params, res, ctx, channel);
      default:
        return res.fail(404, `unknown action ${action ?? '(none)'}`);
    }
  };

  return (request, params, res, ctx) => {
    const channel = Number(params.get('channel') ?? '0');
    if (!Number.isInteger(channel) || channel < 0 || channel >= parts.channels) {
      return res.fail(404, `no channel ${params.get('channel')}`);
    }
    const commandLike = request.path === 'ipc.flv' && /^(inner|user)_define$/.test(params.get('action') ?? '');
    route(request.path, params, res, ctx, channel).catch((err: unknown) => {
      const status = err instanceof RequestError ? err.status : 500;
      const message = err instanceof RequestError ? err.message : 'internal error';
      if (!(err instanceof RequestError))
        log(`request ${request.path}?${request.query.slice(0, 200)} failed: ${String(err)}`);
      // Commands answer in JSON whatever happens; streams answer with a head or error frame.
      if (commandLike) sendJsonError(res, status, message);
      else res.fail(status, message);
    });
  };
}
