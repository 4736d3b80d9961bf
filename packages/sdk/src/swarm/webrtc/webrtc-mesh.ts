/**
 * The swarm's mesh over WebRTC: one RTCPeerConnection with one reliable ordered data channel
 * (SWARM_CHANNEL_LABEL) per neighbour, signalled through the tracker (offer/answer/candidates by peer id).
 * The side told to connect offers with `a=setup:active` (see sdp.ts); a connect that is not open within
 * `connectTimeoutMs` is retried on a fresh peer connection (libdatachannel loses ~1.5% of handshakes,
 * DESIGN.md). When both sides offer at once, the smaller peer id's offer wins.
 * Inbound offers are capped (issue 13): each costs a peer connection (sockets, DTLS state) before the
 * engine ever sees a link, so at most `maxIncomingPending` are answered at once, and a peer that offers
 * again within `reofferMinMs` while its last offer is still being answered is ignored: peers of the swarm
 * cannot make us open connections without bound.
 */
import { SWARM_CHANNEL_LABEL, type IceServer, type PeerSignal } from '@xp2p/protocol';
import type { Platform } from '../../platform.js';
import { normaliseCandidate, preferActiveDtlsRole } from '../../sdp.js';
import type { MeshLink, MeshTransport } from '../engine/types.js';
import { DataChannelLink } from './data-channel-link.js';

export interface PeerSignalRelay {
  /** send a signal to a peer through the tracker; false when the tracker is not connected */
  send(to: string, signal: PeerSignal): boolean;
}

export interface WebRtcMeshOptions {
  connectTimeoutMs: number;
  attempts: number;
  /** inbound offers being answered at once; more are ignored (the offerer retries or picks someone else) */
  maxIncomingPending: number;
  /** a peer's new offer within this long of its last one, still being answered, is ignored */
  reofferMinMs: number;
}

export const WEBRTC_MESH_DEFAULTS: WebRtcMeshOptions = Object.freeze({
  connectTimeoutMs: 4000,
  attempts: 2,
  maxIncomingPending: 8,
  reofferMinMs: 1000,
});

interface Attempt {
  peerId: string;
  outgoing: boolean;
  pc: RTCPeerConnection;
  remoteSet: boolean;
  candidates: RTCIceCandidateInit[];
  done: boolean;
  fail: (err: Error) => void;
  startedAt: number;
  /** connection states it went through, with when: what a timeout's message reports */
  states: string[];
}

export class WebRtcMesh implements MeshTransport {
  onIncoming: ((link: MeshLink) => void) | undefined;
  private readonly attempts = new Map<string, Attempt>();
  private selfId = '';
  private iceServers: IceServer[] = [];
  private closed = false;
  private readonly opts: WebRtcMeshOptions;

  constructor(
    private readonly platform: Platform,
    private readonly relay: PeerSignalRelay,
    options: Partial<WebRtcMeshOptions> = {},
    private readonly log: (line: string) => void = () => {},
  ) {
    this.opts = { ...WEBRTC_MESH_DEFAULTS, ...options };
  }

  /** From the tracker's `joined`. */
  configure(selfId: string, iceServers: IceServer[]): void {
    this.selfId = selfId;
    this.iceServers = iceServers;
  }

  async connect(peerId: string): Promise<MeshLink> {
    let lastError: Error = new Error('no attempt');
    for (let i = 0; i < this.opts.attempts && !this.closed; i++) {
      try {
        return await this.offer(peerId);
      } catch (err) {
        lastError = err instanceof Error ? err : new Error(String(err));
        this.log(`link to ${peerId}, attempt ${i + 1}/${this.opts.attempts}: ${lastError.message}`);
        if (lastError.message.includes('glare')) throw lastError;
      }
    }
    throw lastError;
  }

  /** A signal the tracker relayed from `from`. */
  handleSignal(from: string, signal: PeerSignal): void {
    if (this.closed) return;
    const current = this.attempts.get(from);
    switch (signal.kind) {
      case 'offer':
        if (!this.mayAnswer(from, current)) return;
        if (current?.outgoing && !current.done) {
          if (this.selfId < from) return; // our offer wins; theirs is dropped on their side too
          current.fail(new Error('glare: their offer won'));
        } else if (current && !current.done) current.fail(new Error('replaced by a new offer'));
        this.answer(from, signal.sdp);
        break;
      case 'answer':
        if (!current?.outgoing || current.done) return;
        current.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp }).then(
          () => this.remoteSet(current),
          (err: unknown) => current.fail(new Error(`bad answer: ${String(err)}`)),
        );
        break;
      case 'candidate': {
        if (!current || current.done) return;
        const c = { candidate: normaliseCandidate(signal.candidate), sdpMid: signal.mid ?? '0' };
        if (current.remoteSet) this.addCandidate(current, c);
        else current.candidates.push(c);
        break;
      }
    }
  }

  /** Whether an offer from `from` may cost us a peer connection now (see the header). */
  private mayAnswer(from: string, current: Attempt | undefined): boolean {
    if (current && !current.outgoing && !current.done && Date.now() - current.startedAt < this.opts.reofferMinMs) {
      this.log(`offer from ${from} ignored: offered again within ${this.opts.reofferMinMs} ms`);
      return false;
    }
    let pending = 0;
    for (const a of this.attempts.values()) if (!a.outgoing && !a.done && a !== current) pending++;
    if (pending < this.opts.maxIncomingPending) return true;
    this.log(`offer from ${from} ignored: ${pending} incoming links being set up`);
    return false;
  }

  close(): void {
    this.closed = true;
    for (const a of this.attempts.values()) if (!a.done) a.fail(new Error('mesh closed'));
  }

  private newPc(peerId: string, outgoing: boolean, fail: (err: Error) => void): Attempt {
    const pc = new this.platform.RTCPeerConnection({ iceServers: this.iceServers, ...this.platform.rtcConfigExtras });
    const attempt: Attempt = {
      peerId,
      outgoing,
      pc,
      remoteSet: false,
      candidates: [],
      done: false,
      fail,
      startedAt: Date.now(),
      states: [],
    };
    // where a connect that never opens got stuck (ICE, DTLS or SCTP), for the log of its failure
    pc.onconnectionstatechange = () => {
      if (!attempt.done) attempt.states.push(`${pc.connectionState}@${Date.now() - attempt.startedAt}ms`);
    };
    pc.onicecandidate = (ev) => {
      if (!ev.candidate?.candidate) return;
      this.relay.send(peerId, {
        kind: 'candidate',
        candidate: normaliseCandidate(ev.candidate.candidate),
        mid: ev.candidate.sdpMid ?? '0',
      });
    };
    this.attempts.set(peerId, attempt);
    return attempt;
  }

  private offer(peerId: string): Promise<MeshLink> {
    return new Promise<MeshLink>((resolve, reject) => {
      // assigned once below; the attempt's callbacks defined first refer to it
      // eslint-disable-next-line prefer-const
      let timer: ReturnType<typeof setTimeout> | undefined;
      const attempt = this.newPc(peerId, true, (err) => {
        if (attempt.done) return;
        attempt.done = true;
        clearTimeout(timer);
        if (this.attempts.get(peerId) === attempt) this.attempts.delete(peerId);
        try {
          attempt.pc.close();
        } catch {
          /* closed */
        }
        reject(err);
      });
      const channel = attempt.pc.createDataChannel(SWARM_CHANNEL_LABEL, { ordered: true });
      timer = setTimeout(
        () =>
          attempt.fail(
            new Error(
              `no data channel to ${peerId} in ${this.opts.connectTimeoutMs} ms ` +
                `(states: ${attempt.states.join(' ') || 'none'})`,
            ),
          ),
        this.opts.connectTimeoutMs,
      );
      channel.onopen = () => {
        if (attempt.done) return;
        attempt.done = true;
        clearTimeout(timer);
        if (this.attempts.get(peerId) === attempt) this.attempts.delete(peerId);
        resolve(new DataChannelLink(peerId, attempt.pc, channel));
      };
      (async () => {
        const offer = await attempt.pc.createOffer();
        await attempt.pc.setLocalDescription(offer);
        const sdp = preferActiveDtlsRole(attempt.pc.localDescription?.sdp ?? offer.sdp ?? '');
        if (!this.relay.send(peerId, { kind: 'offer', sdp })) throw new Error('tracker not connected');
      })().catch((err: unknown) => attempt.fail(err instanceof Error ? err : new Error(String(err))));
    });
  }

  private answer(peerId: string, sdp: string): void {
    // assigned once below; the attempt's callbacks defined first refer to it
    // eslint-disable-next-line prefer-const
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = this.newPc(peerId, false, (err) => {
      if (attempt.done) return;
      attempt.done = true;
      clearTimeout(timer);
      if (this.attempts.get(peerId) === attempt) this.attempts.delete(peerId);
      try {
        attempt.pc.close();
      } catch {
        /* closed */
      }
      this.log(`incoming link from ${peerId} failed: ${err.message}`);
    });
    timer = setTimeout(
      () => attempt.fail(new Error(`not open in time (states: ${attempt.states.join(' ') || 'none'})`)),
      this.opts.connectTimeoutMs,
    );
    attempt.pc.ondatachannel = (ev) => {
      const channel = ev.channel;
      if (channel.label !== SWARM_CHANNEL_LABEL) return;
      const opened = () => {
        if (attempt.done) return;
        attempt.done = true;
        clearTimeout(timer);
        if (this.attempts.get(peerId) === attempt) this.attempts.delete(peerId);
        const link = new DataChannelLink(peerId, attempt.pc, channel);
        if (this.onIncoming) this.onIncoming(link);
        else link.close();
      };
      if (channel.readyState === 'open') opened();
      else channel.onopen = opened;
    };
    (async () => {
      await attempt.pc.setRemoteDescription({ type: 'offer', sdp });
      this.remoteSet(attempt);
      const answer = await attempt.pc.createAnswer();
      await attempt.pc.setLocalDescription(answer);
      const local = attempt.pc.localDescription?.sdp ?? answer.sdp ?? '';
      if (!this.relay.send(peerId, { kind: 'answer', sdp: local })) throw new Error('tracker not connected');
    })().catch((err: unknown) => attempt.fail(err instanceof Error ? err : new Error(String(err))));
  }

  private remoteSet(a: Attempt): void {
    a.remoteSet = true;
    for (const c of a.candidates.splice(0)) this.addCandidate(a, c);
  }

  private addCandidate(a: Attempt, c: RTCIceCandidateInit): void {
    a.pc.addIceCandidate(c).catch((err: unknown) => this.log(`candidate ignored: ${String(err)}`));
  }
}
