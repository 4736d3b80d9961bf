/**
 * A live stream that starts over the signalling relay (start-relay.ts) and moves to the P2P channel the
 * moment the session opens: one FLV byte stream to the app throughout, through one LiveFlvSplicer.
 *
 * The hand-over: once P2P is open, the viewer asks for the live stream again with the relay's id
 * (RELAY_HANDOVER_PARAM); the camera moves the very same subscription onto that channel and says in the
 * head how many relay frames came before (RELAY_FRAMES_HEADER). The channel's bytes are held until those
 * frames are in, then follow them: nothing lost, nothing twice, no second header. When the relay cannot be
 * taken over (it ended at the node's cap or bound, a frame failed to decrypt, an older camera answers with
 * a fresh stream), the stream continues as after a reconnect: the camera's fresh answer is spliced in at a
 * keyframe (live-stream.ts with the same splicer). The relay never outlives the hand-over.
 */
import {
  ErrorCode,
  FlvFormatError,
  RELAY_FRAMES_HEADER,
  RELAY_HANDOVER_PARAM,
  XP2PError,
  type DeviceRequest,
} from '@xp2p/protocol';
import type { IpcSession } from '../session/ipc-session.js';
import { LiveFlvSplicer } from './live-splice.js';
import { openLiveStream } from './live-stream.js';
import type { RequestHandle, RequestHandlers } from './request.js';
import type { ViewerStartRelay } from './start-relay.js';

export interface RelayFirstLiveOptions {
  relay: ViewerStartRelay;
  /** the P2P session, once open (rejects when none opens: the caller ends the stream then) */
  session: Promise<IpcSession>;
  request: DeviceRequest;
  handlers: RequestHandlers;
  log: (line: string) => void;
  onResumed: (resumes: number) => void;
  /** the stream moved to P2P (`frames` relayed before it, `spliced`: by a fresh answer, not a hand-over) */
  onHandedOver?: (how: { frames: number; bytes: number; spliced: boolean }) => void;
}

export function openRelayFirstLive(o: RelayFirstLiveOptions): RequestHandle {
  const { relay, handlers, log } = o;
  const splicer = new LiveFlvSplicer();
  let answered = false;
  let cancelled = false;
  /** the P2P request: the hand-over, or the fresh stream after a failed one */
  let current: RequestHandle | undefined;
  /** set once the relay is done with: its bytes no longer reach the app */
  let relayDone = false;

  const fail = (err: XP2PError, status?: number) => {
    if (cancelled) return;
    cancelled = true;
    relay.close();
    current?.cancel();
    handlers.onError(err, status);
  };
  const deliver = (bytes: Uint8Array) => {
    let out: Uint8Array;
    try {
      out = splicer.push(bytes);
    } catch (err) {
      if (!(err instanceof FlvFormatError)) throw err;
      return fail(new XP2PError(ErrorCode.START_STREAM_FAILED, `live stream is not valid FLV: ${err.message}`));
    }
    if (out.byteLength === 0) return;
    const copy = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
    handlers.onData(copy.buffer as ArrayBuffer);
  };
  const answer = (status: number, headers: Record<string, string>) => {
    if (answered) return;
    answered = true;
    handlers.onHead(status, headers);
  };

  relay.listen({
    onHead: (status, headers) => !relayDone && answer(status, headers),
    onData: (bytes) => !relayDone && !cancelled && deliver(bytes),
    // the camera's stream ended while relayed (its source stopped): nothing to hand over
    onEnd: () => {
      if (relayDone || cancelled) return;
      cancelled = true;
      relay.close();
      handlers.onEnd();
    },
    onOver: (reason) => log(`start relay over before the hand-over: ${reason}`),
  });

  /** The relay cannot be taken over: go on with a fresh answer over P2P, spliced in like a reconnect's. */
  const freshOverP2P = (session: IpcSession, why: string) => {
    if (cancelled) return;
    if (!relayDone) o.onHandedOver?.({ frames: relay.frames, bytes: relay.bytes, spliced: true });
    relayDone = true;
    relay.close();
    current?.cancel();
    log(`live stream continues over P2P afresh: ${why}`);
    const passOn: RequestHandlers = { ...handlers, onHead: (status, headers) => answer(status, headers) };
    whenUsable(session, () => {
      current = answered
        ? openLiveStream(session, o.request, passOn, log, o.onResumed, { splicer })
        : openLiveStream(session, o.request, passOn, log, o.onResumed);
    });
  };

  /**
   * Runs `ask` (it makes a request on the session) now, or once a reconnect in progress is over (a request
   * on a reconnecting session throws; the camera going away says bye to the session and the relay at once).
   */
  const whenUsable = (session: IpcSession, ask: () => void) => {
    if (cancelled) return;
    try {
      ask();
    } catch (err) {
      const why = err instanceof XP2PError ? err : new XP2PError(ErrorCode.START_STREAM_FAILED, String(err));
      if (!session.isRecovering) return fail(why);
      void session.ready().then((ok) => (ok ? whenUsable(session, ask) : fail(why)));
    }
  };

  const handOver = (session: IpcSession) => {
    if (cancelled) return;
    const own: RequestHandle = requestHandOver(session, o.request, relay, {
      inUse: () => !cancelled && current === own,
      deliver,
      joined: (frames) => {
        relayDone = true;
        relay.close();
        log(`live stream moved to P2P after ${frames} relayed frames`);
        o.onHandedOver?.({ frames, bytes: relay.bytes, spliced: false });
      },
      fresh: (why) => freshOverP2P(session, why),
      end: () => !cancelled && handlers.onEnd(),
      fail,
    });
    current = own;
  };

  o.session.then(
    (session) => whenUsable(session, () => handOver(session)),
    () => {
      // no P2P connection: the service reports that and cancels this stream
    },
  );

  return {
    sendUpstream: () => false,
    get bufferedAmount() {
      return 0;
    },
    endUpstream() {},
    cancel() {
      cancelled = true;
      relay.close();
      current?.cancel();
    },
  };
}

interface HandOverHooks {
  /** this request is still the stream's (not cancelled, not replaced by a fresh one) */
  inUse: () => boolean;
  deliver: (bytes: Uint8Array) => void;
  /** the channel's bytes follow from here: the relay's `frames` frames are all in */
  joined: (frames: number) => void;
  /** the relay cannot be taken over: a fresh answer instead */
  fresh: (why: string) => void;
  end: () => void;
  fail: (err: XP2PError, status?: number) => void;
}

/**
 * The P2P request that takes relay `relay` over: its head says how many relay frames came first; its
 * bytes are held until those are in, then follow them. Throws like session.request (a reconnecting session).
 */
function requestHandOver(
  session: IpcSession,
  live: DeviceRequest,
  relay: ViewerStartRelay,
  h: HandOverHooks,
): RequestHandle {
  const sep = live.query ? '&' : '';
  const query = `${live.query}${sep}${RELAY_HANDOVER_PARAM}=${encodeURIComponent(relay.start.id)}`;
  let held: Uint8Array[] | undefined = [];
  const own: RequestHandle = session.request(
    { path: live.path, query },
    {
      onHead(status, headers) {
        const frames = Number(headers[RELAY_FRAMES_HEADER]);
        if (status < 200 || status >= 300 || !Number.isInteger(frames) || frames < 0) {
          own.cancel();
          return h.fresh(`camera could not hand the relay over (${status})`);
        }
        relay.waitForFrames(frames).then(
          () => {
            if (!h.inUse()) return;
            h.joined(frames);
            const bytes = held ?? [];
            held = undefined;
            for (const b of bytes) h.deliver(b);
          },
          (err: Error) => {
            if (!h.inUse()) return;
            own.cancel();
            h.fresh(`relay ended before its last frame: ${err.message}`);
          },
        );
      },
      onData(data) {
        if (held) held.push(new Uint8Array(data));
        else h.deliver(new Uint8Array(data));
      },
      onEnd: () => h.end(),
      onError(err, status) {
        if (!h.inUse()) return;
        if (status !== undefined) return h.fail(err, status);
        // the path broke: as any live stream, reconnect and continue with a fresh answer
        void session.recover(err.message).then((ok) => {
          if (!h.inUse()) return;
          if (!ok) return h.fail(err);
          h.fresh(`path lost (${err.message})`);
        });
      },
    },
  );
  return own;
}
