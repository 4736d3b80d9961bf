/**
 * Incremental SHA-256 (FIPS 180-4) in pure TypeScript, for hashing a download as it arrives in browsers,
 * where WebCrypto only hashes whole buffers. Node callers may inject node:crypto instead (faster).
 */
/**
 * The constants are computed, not listed (FIPS 180-4 §4.2.2, §5.3.3: the first 32 bits of the fractional parts
 * of the cube roots of the first 64 primes, and of the square roots of the first 8), which keeps ~300 bytes
 * (gzip) out of the browser bundle. Safe in doubles: every value lies at least 2^-7.5 of its last bit from a
 * rounding edge (checked with exact integer roots), so a cube root off by up to ~1000 ulps still rounds right;
 * the FIPS test vectors (sha256-stream.test.ts) check them.
 */
const PRIMES: number[] = [];
for (let n = 2; PRIMES.length < 64; n++) if (PRIMES.every((p) => n % p)) PRIMES.push(n);
const fraction32 = (x: number): number => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
const K = Uint32Array.from(PRIMES, (p) => fraction32(Math.cbrt(p)));
const H0 = PRIMES.slice(0, 8).map((p) => fraction32(Math.sqrt(p)));
/** 32-bit rotate right (FIPS 180-4 §3.2) */
const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

export interface IncrementalHash {
  update(data: Uint8Array): void;
  /** lower-case hex; the hash cannot be updated afterwards */
  digestHex(): string;
}

export class Sha256Stream implements IncrementalHash {
  private readonly h = new Uint32Array(H0);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(64);
  private blockLength = 0;
  private totalBytes = 0;
  private done = false;

  update(data: Uint8Array): void {
    if (this.done) throw new Error('hash already finished');
    this.totalBytes += data.byteLength;
    let i = 0;
    if (this.blockLength > 0) {
      const take = Math.min(64 - this.blockLength, data.byteLength);
      this.block.set(data.subarray(0, take), this.blockLength);
      this.blockLength += take;
      i = take;
      if (this.blockLength < 64) return;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    for (; i + 64 <= data.byteLength; i += 64) this.compress(data, i);
    if (i < data.byteLength) {
      this.block.set(data.subarray(i), 0);
      this.blockLength = data.byteLength - i;
    }
  }

  digestHex(): string {
    if (this.done) throw new Error('hash already finished');
    const bits = this.totalBytes * 8;
    const pad = new Uint8Array((this.blockLength < 56 ? 56 : 120) - this.blockLength + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(pad.length - 4, bits >>> 0);
    this.totalBytes -= pad.length; // padding is not message
    this.update(pad);
    this.done = true;
    let hex = '';
    for (const word of this.h) hex += word.toString(16).padStart(8, '0');
    return hex;
  }

  private compress(data: Uint8Array, offset: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const j = offset + t * 4;
      w[t] = ((data[j]! << 24) | (data[j + 1]! << 16) | (data[j + 2]! << 8) | data[j + 3]!) >>> 0;
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15]!;
      const b = w[t - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = this.h as unknown as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let t = 0; t < 64; t++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t]! + w[t]!) >>> 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const v = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) this.h[i] = (this.h[i]! + v[i]!) >>> 0;
  }
}
