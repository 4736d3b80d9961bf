/**
 * The viewer's end of a relay-first start (protocol/src/signal/start-relay.ts): its first live request
 * rides in the offer with an ECDH public key, and the camera's answer comes back over signalling as sealed,
 * numbered frames while the P2P connection comes up. This opens them strictly in order: a frame that is
 * missing, out of order or fails to decrypt ends the relay with a clear error, and never reaches the app
 * (the stream then starts afresh over P2P). `close()` ends it once the stream moved to P2P.
 */
import {
  deriveRelayKey,
  newRelayKeyPair,
  openRelayFrame,
  parseResponseFrame,
  randomId,
  relayedBytes,
  RELAY_KIND_BODY,
  RELAY_KIND_TEXT,
  RelayFrameError,
  utf8Decode,
  type DeviceRequest,
  type RelayKeyPair,
  type ServerToViewer,
  type StartRequest,
} from '@xp2p/protocol';
import type { SignalChannel } from '../../transport.js';

export interface StartRelayHandlers {
  onHead(status: number, headers: Record<string, string>): void;
  onData(bytes: Uint8Array): void;
  onEnd(): void;
  /** the relay ended before the stream moved to P2P (`reason` says why; an Error for a broken frame) */
  onOver(reason: string): void;
}

export class ViewerStartRelay {
  private key: Promise<CryptoKey> | undefined;
  private nextSeq = 0;
  /** frames opened and handed on */
  private opened = 0;
  /** sealed bytes received (what the node relayed) */
  bytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private over: string | undefined;
  private closed = false;
  private unlisten: () => void = () => {};
  private handlers: StartRelayHandlers | undefined;
  private waiters: { frames: number; resolve: () => void; reject: (err: Error) => void }[] = [];

  private constructor(
    private readonly signal: SignalChannel,
    private readonly mine: RelayKeyPair,
    readonly start: StartRequest,
  ) {}

  /** A key pair and a relay id for `request`, ready to ride in an offer. */
  static async prepare(signal: SignalChannel, request: DeviceRequest): Promise<ViewerStartRelay> {
    const mine = await newRelayKeyPair();
    const start = { id: randomId(16), key: mine.publicKey, path: request.path, query: request.query };
    return new ViewerStartRelay(signal, mine, start);
  }

  /** Frames opened so far. */
  get frames(): number {
    return this.opened;
  }

  /** Listens for the camera's frames: call before the offer goes out. */
  listen(handlers: StartRelayHandlers): void {
    this.handlers = handlers;
    this.unlisten = this.signal.onSession(this.start.id, (msg) => this.receive(msg));
  }

  /** Resolves once `frames` frames have been opened and handed on; rejects when the relay ends first. */
  waitForFrames(frames: number): Promise<void> {
    if (this.opened >= frames) return Promise.resolve();
    if (this.over !== undefined) return Promise.reject(new Error(this.over));
    return new Promise((resolve, reject) => this.waiters.push({ frames, resolve, reject }));
  }

  /** Done with the relay (the stream moved to P2P, or stopped): the node and the camera free it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.endWith('closed');
    this.signal.send({ type: 'bye', sessionId: this.start.id, reason: 'start relay done' });
  }

  private receive(msg: ServerToViewer): void {
    if (this.over !== undefined) return;
    switch (msg.type) {
      case 'relay':
        return this.frame(msg.seq, msg.data, msg.key);
      // the node has ended the relay session itself in these three cases: no bye back
      case 'relay-end':
        return this.fail(`the server ended the start relay at its ${msg.reason}`, false);
      case 'error':
        return this.fail(`the server refused the start relay (${msg.status}): ${msg.message}`, false);
      case 'bye':
        return this.fail(`the camera ended the start relay: ${msg.reason ?? 'bye'}`, false);
      default:
        return;
    }
  }

  private frame(seq: number, data: string, cameraKey: string | undefined): void {
    // frames travel one TCP path and leave the camera in order: anything else is not the camera's stream
    if (seq !== this.nextSeq) return this.fail(`relay frame ${seq} came where ${this.nextSeq} was due`);
    this.nextSeq++;
    this.bytes += relayedBytes(data);
    if (seq === 0) {
      if (!cameraKey) return this.fail('relay frame 0 carries no key');
      const { id, key } = this.start;
      this.key = deriveRelayKey(this.mine, cameraKey, id, key, cameraKey);
    }
    const key = this.key;
    if (!key) return this.fail('relay frame before the key');
    this.chain = this.chain.then(async () => {
      if (this.over !== undefined) return;
      try {
        const { kind, payload } = await openRelayFrame(await key, this.start.id, seq, data);
        if (this.over !== undefined) return;
        this.deliver(kind, payload);
        this.opened++;
        for (const w of this.waiters.filter((w) => this.opened >= w.frames)) w.resolve();
        this.waiters = this.waiters.filter((w) => this.opened < w.frames);
      } catch (err) {
        this.fail(err instanceof RelayFrameError ? err.message : `relay frame ${seq}: ${String(err)}`);
      }
    });
  }

  private deliver(kind: number, payload: Uint8Array): void {
    const h = this.handlers;
    if (kind === RELAY_KIND_BODY) return h?.onData(payload);
    if (kind !== RELAY_KIND_TEXT) throw new RelayFrameError(`relay frame of unknown kind ${kind}`);
    const parsed = parseResponseFrame(utf8Decode(payload));
    if (!parsed.ok) throw new RelayFrameError(`relay frame is not a response frame: ${parsed.error}`);
    const f = parsed.message;
    if (f.type === 'head') h?.onHead(f.status, f.headers);
    else if (f.type === 'end') h?.onEnd();
    else throw new RelayFrameError(`camera failed the relayed start (${f.status}): ${f.message}`);
  }

  private fail(reason: string, tellServer = true): void {
    if (this.over !== undefined) return;
    this.endWith(reason);
    if (!this.closed) {
      this.closed = true;
      this.unlisten();
      if (tellServer) this.signal.send({ type: 'bye', sessionId: this.start.id, reason: reason.slice(0, 256) });
    }
    this.handlers?.onOver(reason);
  }

  private endWith(reason: string): void {
    this.over ??= reason;
    for (const w of this.waiters.splice(0)) w.reject(new Error(reason));
  }
}
