/**
 * sendCommand: a signalling command to the camera over the P2P link, answered as the guide's result
 * object `{type, status, data, errcode, errmsg}`.
 *
 * `command` is the request's query, as the reference demos send it
 * (`action=inner_define&channel=0&cmd=get_device_st&type=live`); any other text is a custom command and
 * is sent as `action=user_define&channel=0&cmd=<text>`.
 */
import {
  ErrorCode,
  isXP2PError,
  errorMessages,
  utf8Decode,
  concatBytes,
  type DeviceRequest,
  type ErrorCodeValue,
} from '@xp2p/protocol';
import type { IpcSession } from '../session/ipc-session.js';
import type { RequestHandle } from './request.js';

export type CommandResultType = 'success' | 'failure' | 'error' | 'timeout';

export interface CommandResult {
  type: CommandResultType;
  /** the camera's HTTP-like status; 0 when no answer came */
  status: number;
  /** the answer's body as text */
  data: string;
  errcode: number;
  errmsg: string;
}

/** The largest command text accepted (-2000 above it). */
export const COMMAND_MAX_BYTES = 4096;

export function commandRequest(command: string): DeviceRequest {
  if (/^action=/.test(command)) return { path: 'ipc.flv', query: command };
  return { path: 'ipc.flv', query: `action=user_define&channel=0&cmd=${encodeURIComponent(command)}` };
}

export function commandError(code: ErrorCodeValue, detail?: string): CommandResult {
  return {
    type: 'error',
    status: 0,
    data: '',
    errcode: code,
    errmsg: detail ? `${errorMessages[code]}: ${detail}` : errorMessages[code],
  };
}

export function runCommand(session: IpcSession, request: DeviceRequest, timeoutMs: number): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve) => {
    const body: Uint8Array[] = [];
    let status = 0;
    let settled = false;
    let handle: RequestHandle | undefined;
    const settle = (r: CommandResult) => {
      if (settled) return;
      settled = true;
      session.clock.clearTimeout(timer);
      handle?.cancel();
      resolve(r);
    };
    const timer = session.clock.setTimeout(
      () =>
        settle({
          type: 'timeout',
          status,
          data: '',
          errcode: ErrorCode.OK,
          errmsg: `no complete answer within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
    const error = (code: number, errmsg: string, errStatus = status) =>
      settle({ type: 'error', status: errStatus, data: '', errcode: code, errmsg });
    try {
      handle = session.request(request, {
        onHead(s) {
          status = s;
        },
        onData(data) {
          body.push(new Uint8Array(data));
        },
        onEnd() {
          const data = utf8Decode(concatBytes(body));
          const ok = status >= 200 && status < 300;
          const errmsg = ok ? '' : `camera answered ${status}`;
          settle({ type: ok ? 'success' : 'failure', status, data, errcode: ErrorCode.OK, errmsg });
        },
        onError: (err, errStatus) => error(err.code, err.message, errStatus ?? status),
      });
    } catch (err) {
      // the session cannot carry a request right now (it closed, or a reconnect started meanwhile)
      if (isXP2PError(err)) error(err.code, err.message);
      else error(ErrorCode.START_STREAM_FAILED, err instanceof Error ? err.message : String(err));
    }
  });
}
