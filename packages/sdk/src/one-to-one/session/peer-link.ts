/**
 * One attempt to reach a camera: a fresh RTCPeerConnection, an offer through the signalling server,
 * trickled candidates both ways, resolved when the control data channel opens. The caller races several
 * of these (see ipc-session.ts).
 */
import {
  CONTROL_CHANNEL_LABEL,
  ErrorCode,
  randomId,
  withoutRelay,
  XP2PError,
  type IceServer,
  type ServerToViewer,
  type StartRequest,
} from '@xp2p/protocol';
import { normaliseCandidate, preferActiveDtlsRole } from '../../sdp.js';
import { createRequestChannel } from '../requests/request.js';
import type { Clock } from '../../clock.js';
import type { DataChannelLike, PeerConnectionFactory, PeerConnectionLike, SignalChannel } from '../../transport.js';

export interface PeerLink {
  readonly sessionId: string;
  readonly pc: PeerConnectionLike;
  readonly control: DataChannelLike;
  /** A request channel made with the control channel, so it opens in the same round trip (ipc-session's spare). */
  readonly firstRequestChannel: DataChannelLike;
  /** Fires once when the server says the session is over (camera offline, bye). */
  onServerBye(cb: (reason: string) => void): void;
  close(): void;
}

export interface ConnectTimings {
  offerSentAt?: number;
  answerAt?: number;
  openAt?: number;
}

/** A refusal from the server or the camera (not a network problem): racing another attempt cannot help. */
export class SessionRefusedError extends XP2PError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(ErrorCode.START_STREAM_FAILED, `refused (${status}): ${message}`);
  }
}

export async function connectPeerLink(args: {
  clock: Clock;
  createPeerConnection: PeerConnectionFactory;
  signal: SignalChannel;
  iceServers: IceServer[];
  token: string;
  /** allow the TURN relay on this attempt (the camera then gathers relay candidates too) */
  relay: boolean;
  /** the first request, answered over signalling until this connection opens (requests/start-relay.ts) */
  start?: StartRequest | undefined;
  abort: AbortSignal;
  timings: ConnectTimings;
  log: (line: string) => void;
}): Promise<PeerLink> {
  const { clock, signal, abort, timings } = args;
  const sessionId = randomId(16);
  const iceServers = args.relay ? args.iceServers : withoutRelay(args.iceServers);
  const pc = args.createPeerConnection({ iceServers });
  const control = pc.createDataChannel(CONTROL_CHANNEL_LABEL, { ordered: true });
  // Each channel's open costs a round trip after SCTP is up; made now, the first request's channel opens
  // alongside the control channel instead of one round trip after it (the request that follows a connect: a
  // relayed start's hand-over, a P2P-only start, a reconnect's re-issued stream).
  const firstRequestChannel = createRequestChannel(pc);
  let byeListener: ((reason: string) => void) | undefined;
  let ended = false;
  const close = () => {
    if (ended) return;
    ended = true;
    unlisten();
    signal.send({ type: 'bye', sessionId });
    try {
      pc.close();
    } catch {
      /* already closed */
    }
  };

  let rejectOpen: (err: Error) => void = () => {};
  const opened = new Promise<void>((resolve, reject) => {
    rejectOpen = reject;
    control.addEventListener('open', () => resolve(), { once: true });
  });
  // It can be rejected (abort, refusal, bye) while the offer is still being made, before `await opened`
  // below, and then never awaited: that must not surface as an unhandled rejection in the app.
  opened.catch(() => {});

  const unlisten = signal.onSession(
    sessionId,
    serverMessageHandler({
      pc,
      log: args.log,
      onAnswer: () => (timings.answerAt ??= clock.now()),
      fail: (err) => rejectOpen(err),
      onBye: (reason) => byeListener?.(reason),
    }),
  );

  // candidates go out only after the offer: the server refuses (404) a candidate for a session it does not know
  let offerSent = false;
  const localCandidates: { candidate: string; mid: string }[] = [];
  const sendCandidate = (c: { candidate: string; mid: string }) => signal.send({ type: 'candidate', sessionId, ...c });
  pc.addEventListener('icecandidate', (ev) => {
    if (!ev.candidate?.candidate) return;
    const c = { candidate: normaliseCandidate(ev.candidate.candidate), mid: ev.candidate.sdpMid ?? '0' };
    if (offerSent) sendCandidate(c);
    else localCandidates.push(c);
  });

  const onAbort = () => rejectOpen(new DOMException('aborted', 'AbortError'));
  abort.addEventListener('abort', onAbort, { once: true });
  try {
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const sdp = preferActiveDtlsRole(pc.localDescription?.sdp ?? offer.sdp ?? '');
    // reopens the signalling socket if it was lost meanwhile (e.g. with the network path, see ipc-session)
    await signal.connect();
    if (abort.aborted) throw new DOMException('aborted', 'AbortError');
    const extras = { ...(args.relay ? { relay: true } : {}), ...(args.start ? { start: args.start } : {}) };
    if (!signal.send({ type: 'offer', sessionId, token: args.token, sdp, ...extras })) {
      throw new XP2PError(ErrorCode.START_STREAM_FAILED, 'signalling connection is not open');
    }
    offerSent = true;
    for (const c of localCandidates.splice(0)) sendCandidate(c);
    timings.offerSentAt ??= clock.now();
    await opened;
    timings.openAt ??= clock.now();
  } catch (err) {
    close();
    throw err;
  } finally {
    abort.removeEventListener('abort', onAbort);
  }

  return {
    sessionId,
    pc,
    control,
    firstRequestChannel,
    onServerBye(cb) {
      byeListener = cb;
    },
    close,
  };
}

/**
 * What the server says about one attempt: the camera's answer, its trickled candidates (held until the
 * answer is applied), a refusal, a bye.
 */
function serverMessageHandler(h: {
  pc: PeerConnectionLike;
  log: (line: string) => void;
  onAnswer: () => void;
  fail: (err: Error) => void;
  onBye: (reason: string) => void;
}): (msg: ServerToViewer) => void {
  let remoteSet = false;
  const pendingCandidates: RTCIceCandidateInit[] = [];
  const addCandidate = (c: RTCIceCandidateInit) => {
    h.pc.addIceCandidate(c).catch((err: unknown) => h.log(`candidate ignored: ${String(err)}`));
  };
  return (msg) => {
    switch (msg.type) {
      case 'answer':
        h.onAnswer();
        h.pc
          .setRemoteDescription({ type: 'answer', sdp: msg.sdp })
          .then(() => {
            remoteSet = true;
            for (const c of pendingCandidates.splice(0)) addCandidate(c);
          })
          .catch((err: unknown) => h.fail(new XP2PError(ErrorCode.START_STREAM_FAILED, `bad answer: ${String(err)}`)));
        break;
      case 'candidate': {
        const c = { candidate: normaliseCandidate(msg.candidate), sdpMid: msg.mid ?? '0' };
        if (remoteSet) addCandidate(c);
        else pendingCandidates.push(c);
        break;
      }
      case 'error':
        h.fail(new SessionRefusedError(msg.status, msg.message));
        break;
      case 'bye':
        h.fail(new XP2PError(ErrorCode.START_STREAM_FAILED, `session ended: ${msg.reason ?? 'bye'}`));
        h.onBye(msg.reason ?? 'bye');
        break;
    }
  };
}
