/** A MeshLink over one RTCDataChannel (and the RTCPeerConnection it lives on). */
import type { MeshLink } from '../engine/types.js';

/** Below this many buffered bytes the uploader may queue its next chunk. */
export const BUFFERED_LOW_BYTES = 64 * 1024;

export class DataChannelLink implements MeshLink {
  onMessage: ((data: string | Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  onBufferedLow: (() => void) | undefined;
  private closed = false;
  private lowPending = false;

  constructor(
    readonly peerId: string,
    private readonly pc: RTCPeerConnection,
    private readonly channel: RTCDataChannel,
  ) {
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = BUFFERED_LOW_BYTES;
    channel.onmessage = (ev: MessageEvent) => {
      const d: unknown = ev.data;
      if (typeof d === 'string') this.onMessage?.(d);
      else if (d instanceof ArrayBuffer) this.onMessage?.(new Uint8Array(d));
      else if (ArrayBuffer.isView(d)) this.onMessage?.(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    };
    channel.onbufferedamountlow = () => this.onBufferedLow?.();
    channel.onclose = () => this.finish();
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.close();
    };
  }

  get bufferedAmount(): number {
    return this.closed ? 0 : this.channel.bufferedAmount;
  }

  send(data: string | Uint8Array): void {
    if (this.closed || this.channel.readyState !== 'open') return;
    try {
      if (typeof data === 'string') this.channel.send(data);
      else this.channel.send(data as Uint8Array<ArrayBuffer>);
    } catch {
      this.close();
      return;
    }
    // the channel fires `bufferedamountlow` only on a crossing: when it took everything at once, say so ourselves
    if (!this.lowPending && this.channel.bufferedAmount <= BUFFERED_LOW_BYTES) {
      this.lowPending = true;
      setTimeout(() => {
        this.lowPending = false;
        if (!this.closed && this.channel.bufferedAmount <= BUFFERED_LOW_BYTES) this.onBufferedLow?.();
      }, 0);
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.channel.close();
    } catch {
      /* already closed */
    }
    try {
      this.pc.close();
    } catch {
      /* already closed */
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }
}
