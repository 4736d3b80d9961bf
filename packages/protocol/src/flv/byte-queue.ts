/**
 * A FIFO of received chunks that only copies when a caller needs bytes that span chunks.
 * The demuxer knows how many bytes its next unit needs before reading it, so it can wait for
 * them without re-concatenating the whole backlog on every push (which would be quadratic).
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private headOffset = 0; // bytes of chunks[0] already consumed
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.byteLength;
  }

  /** The first n bytes (n <= length), without consuming them. May be a view into a pushed chunk. */
  peek(n: number): Uint8Array {
    if (n > this.total) throw new RangeError('peek past end of queue');
    const head = this.chunks[0];
    if (head && head.byteLength - this.headOffset >= n) {
      return head.subarray(this.headOffset, this.headOffset + n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    let offset = this.headOffset;
    for (const chunk of this.chunks) {
      if (filled === n) break;
      const take = Math.min(n - filled, chunk.byteLength - offset);
      out.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset = 0;
    }
    return out;
  }

  /** Removes and returns a copy of the first n bytes (a copy, so tags never pin the caller's buffers). */
  take(n: number): Uint8Array {
    const out = this.peek(n).slice();
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    if (n > this.total) throw new RangeError('skip past end of queue');
    this.total -= n;
    while (n > 0) {
      const head = this.chunks[0]!;
      const left = head.byteLength - this.headOffset;
      if (n < left) {
        this.headOffset += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.headOffset = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.headOffset = 0;
    this.total = 0;
  }
}
