/**
 * A simulated camera for the 1v1 simulator. It speaks the real wire of @xp2p/protocol on the data channels
 * the viewer opens (request framing, control-channel heartbeat) and answers like the device agent does:
 * - `ipc.flv?action=live`: a live FLV (header, metadata, AVC sequence header, then a GOP from a keyframe,
 *   timestamps from 0 in every response), one video tag per message at `frameMs`;
 * - `action=download&file_name=...&offset=N`: a stored file from `offset`, with content-length, x-file-size,
 *   x-file-sha256 (whole file) and x-offset, in 64 KiB frames at `downloadBytesPerMs`;
 * - `action=inner_define|user_define`: a command, answered with a small JSON body (or never, when
 *   `answerCommands` is false: a camera that hangs);
 * - `voice`: talkback, the upstream bytes counted until the viewer's end frame.
 * It is independent of @xp2p/device (the sdk must not depend on it): a small model, not the agent.
 */
import {
  CONTROL_CHANNEL_LABEL,
  encodeControlFrame,
  encodeFlvHeader,
  encodeFlvTag,
  encodeFrame,
  encodeScriptData,
  FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO,
  FRAME_MAX_BODY_BYTES,
  parseControlFrame,
  parseRequestFrame,
  peekViewerToken,
  REQUEST_CHANNEL_LABEL,
  Sha256Stream,
  type ServerToViewer,
} from '@xp2p/protocol';
import type { SignalCamera } from './sim-signal.js';
import type { SimNetwork } from './sim-network.js';
import { SimPeerConnection, type SimDataChannel, type SimPeerRegistry } from './sim-peer-connection.js';

export interface SimCameraOptions {
  productId: string;
  deviceName: string;
  /** live frame interval, and a keyframe every `gopFrames` frames */
  frameMs: number;
  gopFrames: number;
  frameBytes: number;
  downloadBytesPerMs: number;
  /** stored files, by name */
  files: Map<string, Uint8Array>;
}

export const SIM_CAMERA_DEFAULTS = {
  productId: 'sim',
  deviceName: 'cam1',
  frameMs: 40,
  gopFrames: 25,
  frameBytes: 600,
  downloadBytesPerMs: 2_000,
};

const AVC_CONFIG = new Uint8Array([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x00]);

export class SimCamera implements SignalCamera {
  online = true;
  answerPings = true;
  answerCommands = true;
  /** requests the camera received, path and query (what tests look at) */
  readonly requests: { path: string; query: string }[] = [];
  /** talkback bytes received */
  voiceBytes = 0;
  private readonly sessions = new Map<string, SimPeerConnection>();
  private readonly liveChannels = new Set<SimDataChannel>();
  private readonly o: SimCameraOptions;

  constructor(
    private readonly network: SimNetwork,
    private readonly registry: SimPeerRegistry,
    options: Partial<SimCameraOptions> = {},
  ) {
    this.o = { ...SIM_CAMERA_DEFAULTS, files: new Map(), ...options };
  }

  get productId(): string {
    return this.o.productId;
  }

  get deviceName(): string {
    return this.o.deviceName;
  }

  offer(sessionId: string, token: string, sdp: string, reply: (msg: ServerToViewer) => void): void {
    const claims = peekViewerToken(token);
    if (claims?.productId !== this.productId || claims.deviceName !== this.deviceName) {
      return reply({ type: 'error', sessionId, status: 403, message: 'token is for another device' });
    }
    const pc = new SimPeerConnection(this.network, this.registry, 'camera');
    pc.acceptOffer(sdp);
    pc.ondatachannel = (channel) => this.serve(channel);
    this.sessions.set(sessionId, pc);
    reply({ type: 'answer', sessionId, sdp: `sim:${pc.id}` });
  }

  bye(sessionId: string): void {
    this.sessions.get(sessionId)?.close();
    this.sessions.delete(sessionId);
  }

  private serve(channel: SimDataChannel): void {
    if (channel.label === CONTROL_CHANNEL_LABEL) {
      channel.addEventListener('message', (ev) => {
        const parsed = parseControlFrame(ev.data);
        if (parsed.ok && parsed.message.type === 'ping' && this.answerPings && channel.readyState === 'open') {
          channel.send(encodeControlFrame({ type: 'pong', seq: parsed.message.seq }));
        }
      });
      return;
    }
    if (channel.label !== REQUEST_CHANNEL_LABEL) return channel.close();
    let asked = false;
    channel.addEventListener('message', (ev) => {
      if (asked || typeof ev.data !== 'string') return;
      asked = true;
      const parsed = parseRequestFrame(ev.data);
      if (!parsed.ok) return this.fail(channel, 400, parsed.error);
      const { path, query } = parsed.message;
      this.requests.push({ path, query });
      this.route(channel, path, new URLSearchParams(query));
    });
  }

  private route(channel: SimDataChannel, path: string, params: URLSearchParams): void {
    if (path === 'voice') return this.voice(channel);
    const action = params.get('action');
    if (action === 'live') return this.live(channel);
    if (action === 'download') return this.download(channel, params);
    if (action === 'inner_define' || action === 'user_define') return this.command(channel, params);
    this.fail(channel, 404, `no such request: ${path}`);
  }

  /** Ends every live stream with an error frame while the sessions stay up (the camera's source failed). */
  cutLive(status = 503, message = 'source lost'): void {
    for (const channel of this.liveChannels) this.fail(channel, status, message);
    this.liveChannels.clear();
  }

  private live(channel: SimDataChannel): void {
    this.liveChannels.add(channel);
    channel.send(encodeFrame({ type: 'head', status: 200, headers: { 'content-type': 'video/x-flv' } }));
    const metadata = encodeScriptData('onMetaData', { width: 640, height: 360, framerate: 1000 / this.o.frameMs });
    channel.send(encodeFlvHeader({ audio: false, video: true }));
    channel.send(encodeFlvTag({ type: FLV_TAG_SCRIPT, timestamp: 0, data: metadata }));
    channel.send(encodeFlvTag({ type: FLV_TAG_VIDEO, timestamp: 0, data: AVC_CONFIG }));
    let frame = 0;
    const tick = () => {
      if (channel.readyState !== 'open') {
        this.liveChannels.delete(channel);
        return;
      }
      const key = frame % this.o.gopFrames === 0;
      const data = new Uint8Array(this.o.frameBytes);
      data.set([key ? 0x17 : 0x27, 0x01, 0, 0, 0]);
      new DataView(data.buffer).setUint32(5, frame);
      channel.send(encodeFlvTag({ type: FLV_TAG_VIDEO, timestamp: frame * this.o.frameMs, data }));
      frame++;
      this.network.clock.later(tick, this.o.frameMs);
    };
    tick();
  }

  private download(channel: SimDataChannel, params: URLSearchParams): void {
    const file = this.o.files.get(params.get('file_name') ?? '');
    if (!file) return this.fail(channel, 404, 'no such file');
    const offset = Number(params.get('offset') ?? 0);
    if (!Number.isInteger(offset) || offset < 0 || offset > file.byteLength)
      return this.fail(channel, 416, 'bad offset');
    const hash = new Sha256Stream();
    hash.update(file);
    const headers = {
      'content-type': 'application/octet-stream',
      'content-length': String(file.byteLength - offset),
      'x-file-size': String(file.byteLength),
      'x-file-sha256': hash.digestHex(),
      'x-offset': String(offset),
    };
    channel.send(encodeFrame({ type: 'head', status: 200, headers }));
    let position = offset;
    const next = () => {
      if (channel.readyState !== 'open') return;
      if (position >= file.byteLength) {
        channel.send(encodeFrame({ type: 'end' }));
        return channel.close();
      }
      const piece = file.slice(position, Math.min(file.byteLength, position + FRAME_MAX_BODY_BYTES));
      channel.send(piece);
      position += piece.byteLength;
      this.network.clock.later(next, piece.byteLength / this.o.downloadBytesPerMs);
    };
    next();
  }

  private command(channel: SimDataChannel, params: URLSearchParams): void {
    if (!this.answerCommands) return; // a camera that hangs: the request stays open, unanswered
    channel.send(encodeFrame({ type: 'head', status: 200, headers: { 'content-type': 'application/json' } }));
    const body = JSON.stringify({ cmd: params.get('cmd'), status: 0 });
    channel.send(new TextEncoder().encode(body));
    channel.send(encodeFrame({ type: 'end' }));
    channel.close();
  }

  private voice(channel: SimDataChannel): void {
    channel.send(encodeFrame({ type: 'head', status: 200, headers: {} }));
    channel.addEventListener('message', (ev) => {
      if (ev.data instanceof ArrayBuffer) this.voiceBytes += ev.data.byteLength;
      else if (typeof ev.data === 'string' && channel.readyState === 'open') {
        channel.send(encodeFrame({ type: 'end' })); // the viewer ended its upstream
        channel.close();
      }
    });
  }

  private fail(channel: SimDataChannel, status: number, message: string): void {
    if (channel.readyState !== 'open') return;
    channel.send(encodeFrame({ type: 'error', status, message }));
    channel.close();
  }
}
