/**
 * Serving neighbours: one chunk at a time over our whole uplink, in request order. Sending chunks one after
 * another (not all at once) finishes each copy as early as possible, so each receiver can forward it
 * sooner: the mesh spreads a chunk like a doubling tree instead of all copies crawling in parallel.
 * Neighbours that upload are served before those that do not: a copy to an uploader becomes one more
 * source for the rest of the mesh, a copy to a non-uploader ends there. Requests beyond a short queue are
 * answered `absent` so the requester asks someone else, and so are requests this uplink could not start
 * within `maxBacklogMs` at its measured speed: a slow uploader serves fewer, nobody waits in a long line.
 */
import { encodePiece, SWARM_MAX_PIECE_BYTES } from '@xp2p/protocol';
import type { Neighbour } from './neighbour.js';

interface UploadJob {
  neighbour: Neighbour;
  seq: number;
}

export class Uploader {
  private readonly queue: UploadJob[] = [];
  private current: { job: UploadJob; startedAt: number; bytes: number } | undefined;
  uploadBytes = 0;
  /** measured bytes/ms of our uplink (whole chunks, send to drain); undefined until one finished */
  rate: number | undefined;

  constructor(
    private readonly deps: {
      enabled: boolean;
      maxQueue: number;
      maxBacklogMs: number;
      pieceBytes: number;
      now: () => number;
      chunkBytes: (seq: number) => Uint8Array | undefined;
      isLinked: (n: Neighbour) => boolean;
      sendAbsent: (n: Neighbour, seq: number) => void;
    },
  ) {}

  request(neighbour: Neighbour, seq: number): void {
    if (
      !this.deps.enabled ||
      !this.deps.chunkBytes(seq) ||
      this.queue.length >= this.deps.maxQueue ||
      this.backlogMs() > this.deps.maxBacklogMs
    ) {
      this.deps.sendAbsent(neighbour, seq);
      return;
    }
    // uploaders first, then older chunks (closer to their deadline), then neighbours that served us
    // fastest (their uplink is fast, so the copy we give them spreads fastest)
    const job = { neighbour, seq };
    let i = this.queue.length;
    while (i > 0 && comesBefore(job, this.queue[i - 1]!)) i--;
    this.queue.splice(i, 0, job);
    this.pump();
  }

  cancel(neighbour: Neighbour, seq: number): void {
    const i = this.queue.findIndex((j) => j.neighbour === neighbour && j.seq === seq);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** How long until a new request would start sending, at our measured speed. */
  backlogMs(): number {
    if (!this.current || this.rate === undefined) return 0;
    let bytes = this.current.bytes - (this.deps.now() - this.current.startedAt) * this.rate;
    for (const j of this.queue) bytes += this.deps.chunkBytes(j.seq)?.byteLength ?? 0;
    return Math.max(0, bytes) / this.rate;
  }

  /** The neighbour's link drained: its chunk is on the wire, start the next one. */
  drained(neighbour: Neighbour): void {
    const cur = this.current;
    if (cur?.job.neighbour !== neighbour) return;
    const sample = cur.bytes / Math.max(1, this.deps.now() - cur.startedAt);
    this.rate = this.rate === undefined ? sample : 0.7 * this.rate + 0.3 * sample;
    this.current = undefined;
    this.pump();
  }

  forget(neighbour: Neighbour): void {
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]?.neighbour === neighbour) this.queue.splice(i, 1);
    if (this.current?.job.neighbour === neighbour) {
      this.current = undefined;
      this.pump();
    }
  }

  /** Safety net for a link that never reports draining (it should): release after `afterMs`. */
  unstick(afterMs: number): void {
    const cur = this.current;
    if (cur && cur.job.neighbour.link.bufferedAmount === 0 && this.deps.now() - cur.startedAt > afterMs) {
      this.current = undefined;
      this.pump();
    }
  }

  private pump(): void {
    while (!this.current) {
      const job = this.queue.shift();
      if (!job) return;
      if (!this.deps.isLinked(job.neighbour)) continue;
      const bytes = this.deps.chunkBytes(job.seq);
      if (!bytes) {
        this.deps.sendAbsent(job.neighbour, job.seq);
        continue;
      }
      this.current = { job, startedAt: this.deps.now(), bytes: bytes.byteLength };
      const link = job.neighbour.link;
      const piece = Math.max(1, Math.min(this.deps.pieceBytes, SWARM_MAX_PIECE_BYTES));
      for (let offset = 0; offset < bytes.byteLength; offset += piece) {
        link.send(encodePiece(job.seq, offset, bytes.subarray(offset, offset + piece)));
      }
      this.uploadBytes += bytes.byteLength;
    }
  }
}

function comesBefore(a: UploadJob, b: UploadJob): boolean {
  const ca = a.neighbour.uploads ? 0 : 1;
  const cb = b.neighbour.uploads ? 0 : 1;
  if (ca !== cb) return ca < cb;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return (a.neighbour.throughput ?? 0) > (b.neighbour.throughput ?? 0);
}
