/**
 * Admitting viewers on the camera: an offer becomes a ViewerSession only with a token the camera checks
 * itself (the server checked it too, but a camera trusts no one), within the camera's session limit and
 * the per-viewer attempt limit. Candidates trickled while the token is being checked are kept for the
 * session. One per agent; the agent feeds it the server's offer, candidate and bye messages.
 */
import {
  RELAY_HANDOVER_PARAM,
  TOKEN_FAILURE_STATUS,
  verifyViewerToken,
  withoutRelay,
  type DeviceToServer,
  type IceServer,
  type Role,
  type ServerToDevice,
  type StartRequest,
} from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';
import type { RequestHandler } from './response-writer.js';
import { guardByRole } from './role-guard.js';
import type { PeerConnectionFactory } from './rtc.js';
import { StartRelays } from './start-relay/start-relays.js';
import { ViewerSession } from './viewer-session.js';

/** A viewer trickles a handful of candidates; anything beyond this while its offer is pending is noise. */
const MAX_EARLY_CANDIDATES = 64;
/** Parallel connect attempts one viewer may have open (the sdk races at most 4). */
const MAX_ATTEMPTS_PER_VIEWER = 6;

export interface ViewerAdmissionOptions {
  /** "productId/deviceName", at the start of every log line */
  id: string;
  productId: string;
  deviceName: string;
  secret: string;
  maxSessions: number;
  sessionOpenTimeoutMs: number;
  rtcConfigExtras: Record<string, unknown>;
  createPeerConnection: PeerConnectionFactory;
  /** serves every request channel of every session */
  handler: RequestHandler;
  /** the ICE servers of the node the camera is logged in to */
  iceServers: () => IceServer[];
  /** to the signalling server; false when its socket is not open */
  send: (msg: DeviceToServer) => boolean | void;
  /** a relay-first start not taken over by P2P within this long stops (start-relay/); DEVICE_DEFAULTS' by default */
  startRelayMaxMs?: number;
  log: (line: string) => void;
}

export class ViewerAdmission {
  readonly #o: ViewerAdmissionOptions;
  readonly #sessions = new Map<string, ViewerSession>();
  /** which viewer (its token's nonce) each session belongs to */
  readonly #viewerOf = new Map<string, string>();
  /** candidates that arrived while their offer was being admitted, by session id */
  readonly #earlyCandidates = new Map<string, { candidate: string; mid: string | undefined }[]>();
  #closing = false;
  /** live starts answered over signalling until P2P takes them over */
  readonly #relays: StartRelays;
  /** every request channel of every session: a P2P request may take over its viewer's relayed start */
  readonly #handler: RequestHandler = (request, params, res, ctx) => {
    const relayId = params.get(RELAY_HANDOVER_PARAM);
    if (relayId) return this.#relays.handOver(relayId, this.#viewerOf.get(ctx.sessionId), res);
    this.#o.handler(request, params, res, ctx);
  };

  constructor(options: ViewerAdmissionOptions) {
    this.#o = options;
    this.#relays = new StartRelays({
      handler: options.handler,
      send: (msg) => options.send(msg) !== false,
      maxMs: options.startRelayMaxMs ?? DEVICE_DEFAULTS.startRelayMaxMs,
      log: (line) => options.log(`${options.id}: ${line}`),
    });
  }

  /** Viewers with at least one session (a viewer's raced attempts count once). */
  get viewerCount(): number {
    return new Set(this.#viewerOf.values()).size;
  }

  async handle(msg: ServerToDevice): Promise<void> {
    switch (msg.type) {
      case 'offer':
        return this.#admit(msg.sessionId, msg.token, msg.sdp, msg.relay === true, msg.start);
      case 'candidate': {
        const session = this.#sessions.get(msg.sessionId);
        if (session) session.addCandidate(msg.candidate, msg.mid);
        else {
          // the offer is still being checked: keep its trickled candidates (bounded) for the session
          const early = this.#earlyCandidates.get(msg.sessionId);
          if (early && early.length < MAX_EARLY_CANDIDATES) early.push({ candidate: msg.candidate, mid: msg.mid });
        }
        return;
      }
      case 'bye':
        this.#sessions.get(msg.sessionId)?.close(msg.reason ?? 'viewer left');
        this.#relays.end(msg.sessionId, msg.reason ?? 'viewer left');
        return;
      case 'relay-ack':
        this.#relays.acked(msg.sessionId, msg.seq);
        return;
      case 'relay-end':
        this.#relays.end(msg.sessionId, `the server ended it at its ${msg.reason}`);
        return;
      default:
        return;
    }
  }

  /** Refuses every further offer and closes every session (each says bye to the server). */
  closeAll(reason: string): void {
    this.#closing = true;
    this.#relays.closeAll(reason);
    for (const s of [...this.#sessions.values()]) s.close(reason);
  }

  async #admit(sessionId: string, token: string, sdp: string, relay: boolean, start?: StartRequest): Promise<void> {
    const { id, log } = this.#o;
    const reject = (status: number, message: string) => {
      log(`${id}: refused session ${sessionId.slice(0, 8)}: ${message}`);
      this.#o.send({ type: 'reject', sessionId, status, message });
      // the node opened the start's relay session with the offer: free it
      if (start) this.#o.send({ type: 'bye', sessionId: start.id, reason: message.slice(0, 256) });
    };
    // viewers whose session just ended reconnect at once (sdk path recovery): tell them this is final
    if (this.#closing) return reject(503, 'camera shutting down');
    if (this.#sessions.has(sessionId) || this.#earlyCandidates.has(sessionId)) {
      return reject(409, 'session id already in use');
    }
    // Candidates trickle right behind the offer; the token check below awaits, and a candidate dropped
    // meanwhile can be the only one that works (a symmetric camera must send to the viewer's srflx).
    this.#earlyCandidates.set(sessionId, []);
    const { productId, deviceName } = this.#o;
    const check = await verifyViewerToken(this.#o.secret, token, { productId, deviceName });
    const early = this.#earlyCandidates.get(sessionId) ?? [];
    this.#earlyCandidates.delete(sessionId);
    if (!check.ok) return reject(TOKEN_FAILURE_STATUS[check.reason], `token ${check.reason}`);
    // A viewer races a few peer connections with one token (the sdk's connect watchdog): count viewers,
    // not attempts, or two viewers still trying would use up the camera.
    const viewer = check.payload.nonce;
    const attempts = [...this.#viewerOf.values()].filter((v) => v === viewer).length;
    if (attempts === 0 ? this.viewerCount >= this.#o.maxSessions : attempts >= MAX_ATTEMPTS_PER_VIEWER)
      return reject(503, `too many sessions (this camera allows ${this.#o.maxSessions})`);
    const session = this.#newSession(sessionId, check.payload.appid, check.payload.role, sdp, relay);
    this.#sessions.set(sessionId, session);
    this.#viewerOf.set(sessionId, viewer);
    for (const c of early) session.addCandidate(c.candidate, c.mid);
    log(
      `${id}: session ${sessionId.slice(0, 8)} from app ${check.payload.appid}${start ? ', live start relayed' : ''}`,
    );
    // First the relayed start, what the viewer waits for (its frames are sealed and sent in the background);
    // registered before the answer goes, so the P2P request that takes it over always finds it.
    if (start)
      await this.#relays
        .open(start, viewer, guardByRole(this.#o.handler, check.payload.role))
        .catch((err: unknown) => log(`${id}: start relay: ${String(err)}`));
    try {
      await session.start();
    } catch (err) {
      session.close(`bad offer: ${String(err)}`);
    }
  }

  #newSession(sessionId: string, appid: string, role: Role, sdp: string, relay: boolean): ViewerSession {
    const { id, log, send } = this.#o;
    const iceServers = this.#o.iceServers();
    const session: ViewerSession = new ViewerSession({
      sessionId,
      appid,
      offerSdp: sdp,
      // direct first: relay candidates only for an attempt on which the viewer allows relay
      iceServers: relay ? iceServers : withoutRelay(iceServers),
      rtcConfigExtras: this.#o.rtcConfigExtras,
      createPeerConnection: this.#o.createPeerConnection,
      openTimeoutMs: this.#o.sessionOpenTimeoutMs,
      sendAnswer: (answer) => send({ type: 'answer', sessionId, sdp: answer }),
      sendCandidate: (candidate, mid) => send({ type: 'candidate', sessionId, candidate, mid }),
      // the role the token names, checked again on every request (role-guard.ts), a hand-over included
      handler: guardByRole(this.#handler, role),
      log: (line) => log(`${id} session ${sessionId.slice(0, 8)}: ${line}`),
      onClosed: (reason) => {
        if (this.#sessions.get(sessionId) === session) {
          this.#sessions.delete(sessionId);
          this.#viewerOf.delete(sessionId);
        }
        log(`${id}: session ${sessionId.slice(0, 8)} closed (${reason})`);
        send({ type: 'bye', sessionId, reason });
      },
    });
    return session;
  }
}
