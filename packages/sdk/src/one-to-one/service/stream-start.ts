/**
 * startP2PStream's work inside a service: one request (a live stream re-issues itself after a reconnect,
 * requests/live-stream.ts), its bytes to the app's dataCallback, its figures to the server's metrics.
 * Resolves with the guide's code once the camera answered.
 */
import { ErrorCode } from '@xp2p/protocol';
import { XP2PNotify_SubType } from '../../guide-events.js';
import type { Clock } from '../../clock.js';
import { safeCall } from '../../safe-call.js';
import type { RequestHandle, RequestHandlers } from '../requests/request.js';
import type { IpcSession } from '../session/ipc-session.js';
import type { RunningStream } from './service.js';
import { StreamReport } from './stream-report.js';
import { offeredOneToMany, type OneToManyOffer } from './one-to-many-switch.js';

export interface StreamStartContext {
  clock: Clock;
  /** the session the stream's figures are reported through (none yet while a relayed start waits for P2P) */
  reportSession: () => IpcSession | undefined;
  /** makes the request: a live stream, a relay-first live stream, or any other request on the session */
  open: (handlers: RequestHandlers) => RequestHandle;
  dataCallback: (data: ArrayBuffer) => void;
  /** TTFF counts from here: the connect's start when the stream had to wait for it, else the call */
  ttffFrom: number;
  reportEveryMs: number;
  notify: (subtype: string, detail?: unknown) => void;
  log: (line: string) => void;
  /** records why and returns the code */
  fail: (code: number, why: string) => number;
  /** the stream is registered with the service (it may be stopped from now on) */
  register: (stream: RunningStream) => void;
  /** the stream ended (eof, error, refused): the service forgets it */
  unregister: (stream: RunningStream) => void;
  /** 1v1 → 1vN allowed: a full camera's 1vN stream is joined instead (one-to-many-switch.ts) */
  oneToMany?: (offer: OneToManyOffer, reason: string) => Promise<number>;
}

export function startStream(c: StreamStartContext): Promise<number> {
  const { clock } = c;
  return new Promise<number>((resolve) => {
    let settled = false;
    const settle = (code: number | Promise<number>) => {
      if (!settled) {
        settled = true;
        resolve(code);
      }
    };
    const stream: RunningStream & { report: StreamReport } = {
      dataCallback: c.dataCallback,
      startedAt: clock.now(),
      firstByteAt: undefined,
      bytes: 0,
      handle: undefined as unknown as RunningStream['handle'],
      report: new StreamReport(c.reportSession, clock, c.reportEveryMs),
      cancelStart: () => settle(ErrorCode.START_STREAM_FAILED),
    };
    const endStream = () => {
      stream.report.close();
      c.unregister(stream);
    };
    const handlers: RequestHandlers = {
      onHead(status, headers) {
        const offered = c.oneToMany && offeredOneToMany(status, headers);
        if (offered) {
          endStream();
          stream.handle.cancel();
          return settle(c.oneToMany!(offered, headers['x-reason'] ?? 'camera full'));
        }
        c.notify(XP2PNotify_SubType.Parsed, { status, headers });
        if (status >= 200 && status < 300) return settle(ErrorCode.OK);
        endStream();
        stream.handle.cancel();
        settle(c.fail(ErrorCode.START_STREAM_FAILED, `camera answered ${status}: ${headers['x-reason'] ?? ''}`));
      },
      onData(data) {
        if (stream.firstByteAt === undefined) {
          stream.firstByteAt = clock.now();
          stream.report.firstBytes(stream.firstByteAt - c.ttffFrom);
        }
        stream.bytes += data.byteLength;
        stream.report.received(data.byteLength);
        safeCall(stream.dataCallback, data);
      },
      onEnd() {
        endStream();
        c.notify(XP2PNotify_SubType.Eof);
      },
      onError(err) {
        endStream();
        if (!settled) settle(c.fail(ErrorCode.START_STREAM_FAILED, err.message));
        else {
          c.log(`stream failed: ${err.message}`);
          // the stream is gone, not necessarily the link: 'disconnect' is kept for the P2P link (guide §4)
          c.notify(XP2PNotify_SubType.Close, { reason: err.message });
        }
      },
    };
    c.notify(XP2PNotify_SubType.Request);
    try {
      stream.handle = c.open(handlers);
    } catch (err) {
      stream.report.close();
      settle(c.fail(ErrorCode.START_STREAM_FAILED, err instanceof Error ? err.message : String(err)));
      return;
    }
    c.register(stream);
  });
}
