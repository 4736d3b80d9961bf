/**
 * `ipc.flv?action=inner_define&cmd=...`: the built-in commands (reference-facts.md). Every answer is
 * JSON; errors are `{"error": "..."}` with a status (400 bad parameters, 404 unknown command or nothing
 * to act on). Shapes:
 *   get_device_st&type=live|voice[&quality=]  [{"status":0,"appConnectNum":N}]
 *       status 0 accept, 1 refuse (voice: someone is talking; live: the source is down), 405 too many
 *       viewers, 406 unsupported type/quality (or no talkback on this camera); appConnectNum = live viewers
 *       now; type=live adds "source": "starting"|"live"|"down" of the asked channel and quality (with
 *       "sourceError" while down), "streams": [{"channel","quality","source"}] for every live stream, and
 *       "oneToMany": the 1vN streams the camera publishes now because it is full
 *   get_record_index&start_time=S&end_time=E  {"video_list":[{"type":0,"start_time":S,"end_time":E}]}
 *   get_month_record&time=yyyymm             {"month":"yyyymm","days":D}  bit d-1 of D = UTC day d has video
 *   get_file_list&start_time&end_time&file_type=0|1
 *       {"file_list":[{"file_name","file_size","start_time","end_time"}]}  0 = recordings, 1 = other files
 *   playback_pause | playback_resume | playback_seek&time=T | playback_progress
 *       {"time":T,"start_time":S,"end_time":E,"paused":false}  (the session's latest playback, after the action)
 * A camera without a recordings store answers empty lists.
 */
import { intParam, RequestError } from '../http-like.js';
import { LiveHandler } from '../live-handler.js';
import type { PlaybackRegistry } from '../playback/playback-registry.js';
import type { RecordingsStore } from '../recordings/recordings-store.js';
import type { RequestContext } from '../response-writer.js';
import type { VoiceHandler } from '../voice/voice-handler.js';

export interface InnerCommandParts {
  live: LiveHandler;
  voice: VoiceHandler;
  store: RecordingsStore | undefined;
  playbacks: PlaybackRegistry;
}

export const DEVICE_ST_ACCEPT = 0;
export const DEVICE_ST_REFUSE = 1;
export const DEVICE_ST_TOO_MANY = 405;
export const DEVICE_ST_UNSUPPORTED = 406;

/** Runs a built-in command; returns the JSON body to send with 200, or throws RequestError. */
export async function runInnerCommand(
  parts: InnerCommandParts,
  params: URLSearchParams,
  ctx: RequestContext & { channel?: number },
): Promise<unknown> {
  const cmd = params.get('cmd');
  switch (cmd) {
    case 'get_device_st':
      return [
        {
          status: deviceStatus(parts, params, ctx.channel ?? 0),
          appConnectNum: parts.live.viewerCount,
          ...liveFields(parts, params, ctx.channel ?? 0),
        },
      ];
    case 'get_record_index': {
      const { start, end } = timeRange(params);
      const list = parts.store?.inRange(start, end) ?? [];
      return { video_list: list.map((e) => ({ type: e.type, start_time: e.start_time, end_time: e.end_time })) };
    }
    case 'get_month_record': {
      const time = params.get('time') ?? '';
      const m = /^(\d{4})(\d{2})$/.exec(time);
      const year = Number(m?.[1]);
      const month = Number(m?.[2]);
      if (!m || month < 1 || month > 12) throw new RequestError(400, 'time must be yyyymm');
      return { month: time, days: parts.store?.monthDays(year, month) ?? 0 };
    }
    case 'get_file_list': {
      const { start, end } = timeRange(params);
      const fileType = intParam(params, 'file_type', 0);
      if (fileType !== 0 && fileType !== 1) throw new RequestError(400, 'file_type must be 0 or 1');
      if (!parts.store) return { file_list: [] };
      const files =
        fileType === 0
          ? parts.store.inRange(start, end).map(({ file_name, file_size, start_time, end_time }) => ({
              file_name,
              file_size,
              start_time,
              end_time,
            }))
          : await parts.store.otherFiles(start, end);
      return { file_list: files };
    }
    case 'playback_pause':
    case 'playback_resume':
    case 'playback_seek':
    case 'playback_progress': {
      const running = parts.playbacks.of(ctx.sessionId);
      const latest = running[running.length - 1];
      if (!latest) throw new RequestError(404, 'no playback running in this session');
      if (cmd === 'playback_seek') {
        const time = intParam(params, 'time');
        for (const p of running) p.seek(time);
      } else if (cmd === 'playback_pause') for (const p of running) p.pause();
      else if (cmd === 'playback_resume') for (const p of running) p.resume();
      return latest.progress();
    }
    default:
      throw new RequestError(404, `unknown command ${(cmd ?? '(none)').slice(0, 64)}`);
  }
}

function deviceStatus(parts: InnerCommandParts, params: URLSearchParams, channel: number): number {
  const type = params.get('type') ?? 'live';
  if (type === 'live') {
    const found = parts.live.find(channel, params.get('quality'));
    if (!found.ok) return DEVICE_ST_UNSUPPORTED;
    if (parts.live.viewerCount >= parts.live.maxViewers) return DEVICE_ST_TOO_MANY;
    return LiveHandler.sourceStatusOf(found.feed).state === 'down' ? DEVICE_ST_REFUSE : DEVICE_ST_ACCEPT;
  }
  if (type === 'voice') {
    if (!parts.voice.available) return DEVICE_ST_UNSUPPORTED;
    return parts.voice.busy ? DEVICE_ST_REFUSE : DEVICE_ST_ACCEPT;
  }
  return DEVICE_ST_UNSUPPORTED;
}

/**
 * For type=live: the state of the asked stream's source, so an app can tell "camera busy" from "camera
 * blind", and every stream the camera offers (channels and qualities).
 */
function liveFields(parts: InnerCommandParts, params: URLSearchParams, channel: number): Record<string, unknown> {
  if ((params.get('type') ?? 'live') !== 'live') return {};
  const streams = parts.live.streams
    .list()
    .map(({ channel, quality, feed }) => ({ channel, quality, source: LiveHandler.sourceStatusOf(feed).state }));
  // 1vN streams the camera uploads because it is full (one-to-many/): its uplink is viewers + these
  const oneToMany = parts.live.oneToManyPublishes;
  const found = parts.live.find(channel, params.get('quality'));
  if (!found.ok) return { streams, oneToMany };
  const source = LiveHandler.sourceStatusOf(found.feed);
  return source.state === 'down'
    ? { source: source.state, sourceError: source.reason, streams, oneToMany }
    : { source: source.state, streams, oneToMany };
}

/** start_time and end_time, both required, end after start. */
function timeRange(params: URLSearchParams): { start: number; end: number } {
  const start = intParam(params, 'start_time');
  const end = intParam(params, 'end_time');
  if (end <= start) throw new RequestError(400, 'end_time must be after start_time');
  return { start, end };
}
