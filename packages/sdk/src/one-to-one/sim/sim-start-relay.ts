/**
 * The simulated camera's answer to a relay-first start (protocol/src/signal/start-relay.ts): the live
 * output it writes goes out as sealed, numbered relay frames over signalling (the real WebCrypto sealing,
 * in virtual time: sim-crypto.ts), until the viewer's P2P request names the relay; from then on the same
 * output goes to that request's channel, after a head saying how many frames were relayed. A small model
 * of the device agent's start-relay/, as the simulated camera is of the agent.
 */
import {
  deriveRelayKey,
  encodeFrame,
  newRelayKeyPair,
  RELAY_FRAMES_HEADER,
  RELAY_KIND_BODY,
  RELAY_KIND_TEXT,
  sealRelayFrame,
  utf8Encode,
  type RelayKeyPair,
  type ServerToViewer,
  type StartRequest,
} from '@xp2p/protocol';
import type { SimDataChannel } from './sim-peer-connection.js';

/** Where a live stream writes: a request channel, or a start relay until it is handed over. */
export interface LiveOut {
  readonly readyState: RTCDataChannelState;
  send(data: string | Uint8Array): void;
  close(): void;
}

export class SimStartRelay implements LiveOut {
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private channel: SimDataChannel | undefined;
  private stopped = false;

  private constructor(
    private readonly start: StartRequest,
    private readonly mine: RelayKeyPair,
    private readonly key: CryptoKey,
    private readonly reply: (msg: ServerToViewer) => void,
  ) {}

  static async open(start: StartRequest, reply: (msg: ServerToViewer) => void): Promise<SimStartRelay> {
    const mine = await newRelayKeyPair();
    const key = await deriveRelayKey(mine, start.key, start.id, start.key, mine.publicKey);
    return new SimStartRelay(start, mine, key, reply);
  }

  get readyState(): RTCDataChannelState {
    if (this.channel) return this.channel.readyState;
    return this.stopped ? 'closed' : 'open';
  }

  send(data: string | Uint8Array): void {
    if (this.channel) return this.channel.send(data);
    if (this.stopped) return;
    const seq = this.seq++;
    const kind = typeof data === 'string' ? RELAY_KIND_TEXT : RELAY_KIND_BODY;
    const payload = typeof data === 'string' ? utf8Encode(data) : data;
    const { id } = this.start;
    this.chain = this.chain.then(async () => {
      const sealed = await sealRelayFrame(this.key, id, seq, kind, payload);
      if (this.stopped) return;
      this.reply({
        type: 'relay',
        sessionId: id,
        seq,
        ...(seq === 0 ? { key: this.mine.publicKey } : {}),
        data: sealed,
      });
    });
  }

  /** The viewer's P2P request takes the stream over: its head says how many frames came before. */
  handOver(channel: SimDataChannel): void {
    this.channel = channel;
    channel.send(encodeFrame({ type: 'head', status: 200, headers: { [RELAY_FRAMES_HEADER]: String(this.seq) } }));
  }

  close(): void {
    if (this.channel) return this.channel.close();
    this.stopped = true;
  }
}
