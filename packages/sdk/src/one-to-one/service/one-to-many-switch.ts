/**
 * 1v1 → 1vN when the camera is full (as the reference's later versions do): a live request that may be
 * switched says so (`xp2p_1vn=1`); a full camera answers 503 naming its 1vN stream of that channel and
 * quality (`x-xp2p-1vn`, device/src/one-to-many/), and the stream is then joined instead: its bytes go to
 * the same dataCallback as one FLV, stopP2PStream / stopP2PService stop it, and the app hears
 * notify `switchedToOneToMany` {stream, reason} and the typed event of the same name first.
 * The 1v1 core knows no swarm: the guide facade hands it `JoinOneToMany` (guide/camera-one-to-many.ts).
 */
import {
  ErrorCode,
  ONE_TO_MANY_HEADER,
  ONE_TO_MANY_KEY_HEADER,
  ONE_TO_MANY_QUERY,
  STREAM_KEY_PATTERN,
  validCameraStreamName,
  type DeviceRequest,
} from '@xp2p/protocol';
import { XP2PNotify_SubType } from '../../guide-events.js';
import { safeCall } from '../../safe-call.js';
import type { Clock } from '../../clock.js';
import type { RunningStream } from './service.js';

/** What a joined 1vN stream tells the 1v1 service. */
export interface OneToManySink {
  data(bytes: ArrayBuffer): void;
  /** the swarm's notifies for the app (parsed, peerJoin, peerLeave) */
  notify(subtype: string, detail?: unknown): void;
  log(line: string): void;
  /** the stream ended: the publish ended (eof), or no node serving it can be reached */
  ended(how: 'eof' | 'unreachable'): void;
}

/** `publicKey`: the stream's key the camera gave with its name (the swarm checks every record with it) */
export type JoinOneToMany = (stream: string, sink: OneToManySink, publicKey?: string) => Promise<{ stop(): void }>;

/** A full camera's offer: its 1vN stream, and that stream's public key when the camera sent one. */
export interface OneToManyOffer {
  stream: string;
  publicKey?: string;
}

/** The live request, asking a full camera for its 1vN stream instead of a bare 503. */
export function askingForOneToMany(request: DeviceRequest): DeviceRequest {
  const params = new URLSearchParams(request.query);
  params.set(ONE_TO_MANY_QUERY, '1');
  return { ...request, query: params.toString() };
}

/** The 1vN stream a full camera's answer names, if it is one (a name or key of any other shape is ignored). */
export function offeredOneToMany(status: number, headers: Record<string, string>): OneToManyOffer | undefined {
  const stream = headers[ONE_TO_MANY_HEADER];
  const publicKey = headers[ONE_TO_MANY_KEY_HEADER];
  if (status !== 503 || stream === undefined || !validCameraStreamName(stream)) return undefined;
  if (publicKey !== undefined && !STREAM_KEY_PATTERN.test(publicKey)) return undefined;
  return { stream, ...(publicKey ? { publicKey } : {}) };
}

export interface SwitchContext {
  join: JoinOneToMany;
  stream: string;
  /** the stream's public key, from the camera */
  publicKey?: string;
  /** the camera's words (x-reason) */
  reason: string;
  dataCallback: (data: ArrayBuffer) => void;
  clock: Clock;
  notify: (subtype: string, detail?: unknown) => void;
  log: (line: string) => void;
  /** the typed event */
  switched: (stream: string, reason: string) => void;
  fail: (code: number, why: string) => number;
  register: (stream: RunningStream) => void;
  unregister: (stream: RunningStream) => void;
}

/** Joins the camera's 1vN stream as the service's stream; resolves with the guide's code once joined. */
export function switchToOneToMany(c: SwitchContext): Promise<number> {
  return new Promise<number>((resolve) => {
    let joined: { stop(): void } | undefined;
    let over = false;
    const finish = () => {
      over = true;
      joined?.stop();
      c.unregister(running);
    };
    const running: RunningStream = {
      dataCallback: c.dataCallback,
      startedAt: c.clock.now(),
      firstByteAt: undefined,
      bytes: 0,
      handle: { cancel: finish },
      report: { close: () => {} }, // the server learns of 1vN streams from the swarm's own reports
      // stopP2PStream while joining: startP2PStream answers as for a 1v1 stream stopped before its head
      cancelStart: () => resolve(ErrorCode.START_STREAM_FAILED),
    };
    c.register(running);
    c.log(`camera full (${c.reason}): switching to its 1vN stream`);
    c.switched(c.stream, c.reason);
    c.notify(XP2PNotify_SubType.SwitchedToOneToMany, { stream: c.stream, reason: c.reason });
    c.join(
      c.stream,
      {
        data: (bytes) => {
          if (over) return;
          running.firstByteAt ??= c.clock.now();
          running.bytes += bytes.byteLength;
          safeCall(running.dataCallback, bytes);
        },
        notify: (subtype, detail) => {
          if (!over) c.notify(subtype, detail);
        },
        log: (line) => {
          if (!over) c.log(line);
        },
        ended: (how) => {
          if (over) return;
          finish();
          // the camera's link lives on: a 1vN stream that cannot be reached is a closed stream, not 'disconnect'
          if (how === 'eof') c.notify(XP2PNotify_SubType.Eof);
          else c.notify(XP2PNotify_SubType.Close, { reason: 'no node serving the 1vN stream is reachable' });
        },
      },
      c.publicKey,
    ).then(
      (viewer) => {
        joined = viewer;
        if (over) viewer.stop();
        resolve(ErrorCode.OK);
      },
      (err: unknown) => {
        if (over) return resolve(ErrorCode.START_STREAM_FAILED);
        finish();
        const why = err instanceof Error ? err.message : String(err);
        resolve(c.fail(ErrorCode.START_STREAM_FAILED, `camera full, and its 1vN stream could not be joined: ${why}`));
      },
    );
  });
}
