/**
 * Serving neighbours: one send at a time over our whole uplink, in priority order. Sending chunks one after
 * another (not all at once) finishes each copy as early as possible, so each receiver can forward it
 * sooner: the mesh spreads a chunk like a doubling tree instead of all copies crawling in parallel.
 * A chunk we are still receiving is served as far as it is verified (piece hashes, see chunk-meta.ts): its
 * job sends what is there and waits for more, and meanwhile the uplink serves the next job that has bytes
 * to send, so a chunk is forwarded while it arrives (cut-through) without idling the uplink.
 * Neighbours that upload are served before those that do not: a copy to an uploader becomes one more
 * source for the rest of the mesh, a copy to a non-uploader ends there. Requests beyond a short queue are
 * answered `absent` so the requester asks someone else, and so are requests this uplink could not start
 * within `maxBacklogMs` at its measured speed: a slow uploader serves fewer, nobody waits in a long line.
 */
import { encodePiece, SWARM_MAX_PIECE_BYTES } from '@xp2p/protocol';
import type { Neighbour } from './neighbour.js';

/** What we can send of a chunk now: its bytes (undefined while none arrived), how many are verified, its size. */
export interface UploadSource {
  bytes: Uint8Array | undefined;
  ready: number;
  size: number;
}

interface UploadJob {
  neighbour: Neighbour;
  seq: number;
  /** bytes of the chunk already sent */
  sent: number;
  /** when the requester must play it (our clock), if it said */
  deadline: number;
}

export class Uploader {
  private readonly queue: UploadJob[] = [];
  /** a send handed to the link and not yet drained */
  private current: { job: UploadJob; startedAt: number; bytes: number } | undefined;
  uploadBytes = 0;
  /** measured bytes/ms of our uplink (send to drain); undefined until one finished */
  rate: number | undefined;

  constructor(
    private readonly deps: {
      enabled: boolean;
      maxQueue: number;
      maxBacklogMs: number;
      pieceBytes: number;
      /** requests due sooner than this are served first, earliest deadline first */
      tightSlackMs: number;
      now: () => number;
      /** undefined: we neither hold nor are fetching this chunk */
      source: (seq: number) => UploadSource | undefined;
      isLinked: (n: Neighbour) => boolean;
      sendAbsent: (n: Neighbour, seq: number) => void;
    },
  ) {}

  request(neighbour: Neighbour, seq: number, slackMs?: number): void {
    if (
      !this.deps.enabled ||
      !this.deps.source(seq) ||
      this.queue.some((j) => j.neighbour === neighbour && j.seq === seq) ||
      this.queue.length >= this.deps.maxQueue ||
      this.backlogMs() > this.deps.maxBacklogMs
    ) {
      this.deps.sendAbsent(neighbour, seq);
      return;
    }
    // uploaders first, then older chunks (closer to their deadline), then neighbours that served us
    // fastest (their uplink is fast, so the copy we give them spreads fastest)
    const job = { neighbour, seq, sent: 0, deadline: this.deps.now() + (slackMs ?? Infinity) };
    let i = this.queue.length;
    while (i > 0 && comesBefore(job, this.queue[i - 1]!)) i--;
    this.queue.splice(i, 0, job);
    this.pump();
  }

  cancel(neighbour: Neighbour, seq: number): void {
    const i = this.queue.findIndex((j) => j.neighbour === neighbour && j.seq === seq);
    const job = this.queue[i];
    if (!job) return;
    // the send on the wire finishes; nothing more of this chunk goes out
    if (this.current?.job === job) job.sent = Infinity;
    else this.queue.splice(i, 1);
  }

  /** How long until a new request would start sending, at our measured speed. */
  backlogMs(): number {
    if (!this.current || this.rate === undefined) return 0;
    let bytes = this.current.bytes - (this.deps.now() - this.current.startedAt) * this.rate;
    // a chunk still arriving counts whole: its bytes will want this uplink soon (counting only what is
    // here admits more requests than the uplink then serves in time)
    for (const j of this.queue)
      if (j.sent < Infinity) bytes += Math.max(0, (this.deps.source(j.seq)?.size ?? 0) - j.sent);
    return Math.max(0, bytes) / this.rate;
  }

  /** The neighbour's link drained: our send is on the wire, start the next one. */
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
    if (this.current?.job.neighbour === neighbour) this.current = undefined;
    this.pump();
  }

  /** Safety net for a link that never reports draining (it should): release after `afterMs`. */
  unstick(afterMs: number): void {
    const cur = this.current;
    if (cur && cur.job.neighbour.link.bufferedAmount === 0 && this.deps.now() - cur.startedAt > afterMs) {
      this.current = undefined;
      this.pump();
    }
  }

  /** Send the next bytes there are: call when a chunk we serve got more verified bytes, or gave up. */
  pump(): void {
    if (this.current) return;
    const now = this.deps.now();
    // in queue order, except that a requester close to its deadline (about to fall back to the origin)
    // goes first, earliest deadline first: that copy saves an origin fetch now
    let best: UploadJob | undefined;
    let bestTight = false;
    for (let i = 0; i < this.queue.length;) {
      const job = this.queue[i]!;
      const src = this.deps.isLinked(job.neighbour) ? this.deps.source(job.seq) : undefined;
      if (!src || job.sent >= src.size) {
        // done (its last send drained), gone, or a chunk we no longer hold nor fetch
        this.queue.splice(i, 1);
        if (!src && this.deps.isLinked(job.neighbour)) this.deps.sendAbsent(job.neighbour, job.seq);
        continue;
      }
      i++;
      if (!src.bytes || src.ready <= job.sent) continue; // still arriving: serve another job meanwhile
      const tight = job.deadline - now <= this.deps.tightSlackMs;
      if (!best || (tight && (!bestTight || job.deadline < best.deadline))) {
        best = job;
        bestTight = tight;
      }
    }
    if (!best) return;
    const src = this.deps.source(best.seq)!;
    // one piece per send: the order is decided again after every piece, so a chunk that just started
    // arriving (cut-through) or a more urgent job does not wait behind a whole chunk
    const start = best.sent;
    const piece = Math.max(1, Math.min(this.deps.pieceBytes, SWARM_MAX_PIECE_BYTES));
    const end = Math.min(src.ready, start + piece);
    best.neighbour.link.send(encodePiece(best.seq, start, src.bytes!.subarray(start, end)));
    best.sent = end;
    this.current = { job: best, startedAt: now, bytes: end - start };
    this.uploadBytes += end - start;
  }
}

function comesBefore(a: UploadJob, b: UploadJob): boolean {
  const ca = a.neighbour.uploads ? 0 : 1;
  const cb = b.neighbour.uploads ? 0 : 1;
  if (ca !== cb) return ca < cb;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return (a.neighbour.throughput ?? 0) > (b.neighbour.throughput ?? 0);
}
