/**
 * One viewer's P2P session on the camera: answers the viewer's offer, trickles candidates, and serves
 * every request channel the viewer opens.
 */
import type { IceServer } from '@xp2p/protocol';
import { encodeControlFrame, parseControlFrame, REQUEST_CHANNEL_LABEL } from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';
import type { PeerConnectionFactory } from './rtc.js';
import { serveRequestChannel } from './request-channel.js';
import type { RequestHandler } from './response-writer.js';

export interface ViewerSessionOptions {
  sessionId: string;
  appid: string;
  offerSdp: string;
  iceServers: IceServer[];
  rtcConfigExtras: Record<string, unknown>;
  createPeerConnection: PeerConnectionFactory;
  openTimeoutMs: number;
  sendAnswer: (sdp: string) => void;
  sendCandidate: (candidate: string, mid: string) => void;
  handler: RequestHandler;
  /** Request channels open at once; DEVICE_DEFAULTS.maxRequestChannelsPerSession. */
  maxRequestChannels?: number;
  log: (line: string) => void;
  onClosed: (reason: string) => void;
}

const stripA = (c: string) => (c.startsWith('a=') ? c.slice(2) : c);

export class ViewerSession {
  private readonly pc: RTCPeerConnection;
  private remoteSet = false;
  private readonly pending: RTCIceCandidateInit[] = [];
  private closed = false;
  private requestChannels = 0;
  private readonly openTimer: ReturnType<typeof setTimeout>;
  readonly startedAt = Date.now();

  constructor(private readonly o: ViewerSessionOptions) {
    this.pc = o.createPeerConnection({ iceServers: o.iceServers, ...o.rtcConfigExtras });
    this.openTimer = setTimeout(() => this.close('peer connection did not open in time'), o.openTimeoutMs);
    this.pc.onicecandidate = (ev) => {
      if (ev.candidate?.candidate) o.sendCandidate(stripA(ev.candidate.candidate), ev.candidate.sdpMid ?? '0');
    };
    this.pc.onconnectionstatechange = () => {
      const s = this.pc.connectionState;
      if (s === 'connected') clearTimeout(this.openTimer);
      if (s === 'failed' || s === 'closed') this.close(`peer connection ${s}`);
    };
    this.pc.ondatachannel = (ev) => {
      const channel = ev.channel;
      if (channel.label === REQUEST_CHANNEL_LABEL) this.serveRequest(channel);
      else {
        channel.onclose = () => this.close('viewer closed the control channel');
        // liveness heartbeat (protocol/framing/control.ts): answer each ping at once
        channel.onmessage = (msg: MessageEvent) => {
          const parsed = parseControlFrame(msg.data);
          if (parsed.ok && parsed.message.type === 'ping' && channel.readyState === 'open') {
            try {
              channel.send(encodeControlFrame({ type: 'pong', seq: parsed.message.seq }));
            } catch {
              // libdatachannel closed it on its own thread before the polyfill's readyState caught up (seen
              // with pings queued while the camera was frozen): the viewer reconnects; never a crash here
            }
          }
        };
      }
    };
  }

  /** Each request channel is a handler's work on the camera: one session may hold only so many. */
  private serveRequest(channel: RTCDataChannel): void {
    const max = this.o.maxRequestChannels ?? DEVICE_DEFAULTS.maxRequestChannelsPerSession;
    if (this.requestChannels >= max) {
      const refuse: RequestHandler = (_req, _params, res) =>
        res.fail(429, `too many requests open on this session (at most ${max})`);
      serveRequestChannel(channel, refuse, this.o.log, { sessionId: this.o.sessionId });
      return;
    }
    this.requestChannels++;
    channel.addEventListener('close', () => this.requestChannels--, { once: true });
    serveRequestChannel(channel, this.o.handler, this.o.log, { sessionId: this.o.sessionId });
  }

  async start(): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: this.o.offerSdp });
    this.remoteSet = true;
    for (const c of this.pending.splice(0)) this.addRemote(c);
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.o.sendAnswer(this.pc.localDescription?.sdp ?? answer.sdp ?? '');
  }

  addCandidate(candidate: string, mid: string | undefined): void {
    const c = { candidate: stripA(candidate), sdpMid: mid ?? '0' };
    if (this.remoteSet) this.addRemote(c);
    else this.pending.push(c);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.openTimer);
    try {
      this.pc.close();
    } catch {
      /* already closed */
    }
    this.o.onClosed(reason);
  }

  private addRemote(c: RTCIceCandidateInit): void {
    this.pc.addIceCandidate(c).catch((err: unknown) => this.o.log(`candidate ignored: ${String(err)}`));
  }
}
