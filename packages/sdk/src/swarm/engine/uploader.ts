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

/**
 * What we can send of a chunk now. Units are what the receiver verifies alone (the origin's hashed pieces,
 * or the whole chunk): only verified units are sent, each as soon as it is.
 */
export interface UploadSource {
  /** the chunk's bytes in place (undefined while none arrived) */
  bytes: Uint8Array | undefined;
  size: number;
  unitBytes: number;
  units: number;
  ready(unit: number): boolean;
  /** ready, or on its way to us */
  covered(unit: number): boolean;
}

interface UploadJob {
  neighbour: Neighbour;
  seq: number;
  /** units [first, end) asked for */
  first: number;
  end: number;
  /** units of the range already sent (1) */
  sent: Uint8Array;
  left: number;
  /** a unit longer than a wire piece, part sent: its index and the bytes of it sent */
  partial: { unit: number; off: number } | undefined;
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
      sendAbsent: (n: Neighbour, seq: number, range?: { from?: number; to?: number }) => void;
    },
  ) {}

  /**
   * A neighbour asks for units [first, end) of a chunk (the whole chunk when not given). A repeated request
   * for a chunk replaces the earlier one.
   */
  request(neighbour: Neighbour, seq: number, slackMs?: number, range?: { from?: number; to?: number }): void {
    const src = this.deps.enabled ? this.deps.source(seq) : undefined;
    const first = Math.max(0, range?.from ?? 0);
    const end = Math.min(src?.units ?? 0, range?.to ?? Infinity);
    // a repeated request replaces the earlier one (the piece on the wire finishes)
    const before = this.queue.findIndex((j) => j.neighbour === neighbour && j.seq === seq);
    const old = this.queue[before];
    if (old && this.current?.job === old) old.left = 0;
    else if (old) this.queue.splice(before, 1);
    let wanted = false;
    for (let i = first; src && i < end && !wanted; i++) wanted = src.covered(i);
    if (!src || !wanted || this.queue.length >= this.deps.maxQueue || this.backlogMs() > this.deps.maxBacklogMs) {
      this.deps.sendAbsent(neighbour, seq, range);
      return;
    }
    // uploaders first, then older chunks (closer to their deadline), then neighbours that served us
    // fastest (their uplink is fast, so the copy we give them spreads fastest)
    const job: UploadJob = {
      neighbour,
      seq,
      first,
      end,
      sent: new Uint8Array(end - first),
      left: end - first,
      partial: undefined,
      deadline: this.deps.now() + (slackMs ?? Infinity),
    };
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
    if (this.current?.job === job) job.left = 0;
    else this.queue.splice(i, 1);
  }

  /** How long until a new request would start sending, at our measured speed. */
  backlogMs(): number {
    if (!this.current || this.rate === undefined) return 0;
    let bytes = this.current.bytes - (this.deps.now() - this.current.startedAt) * this.rate;
    // a chunk still arriving counts whole: its bytes will want this uplink soon (counting only what is
    // here admits more requests than the uplink then serves in time)
    for (const j of this.queue) {
      const src = this.deps.source(j.seq);
      if (src) bytes += Math.min(src.size, j.left * src.unitBytes);
    }
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
    let best: { job: UploadJob; unit: number } | undefined;
    let bestTight = false;
    for (let i = 0; i < this.queue.length;) {
      const job = this.queue[i]!;
      const src = this.deps.isLinked(job.neighbour) ? this.deps.source(job.seq) : undefined;
      const unit = src && job.left > 0 ? nextUnit(job, src) : undefined;
      if (!src || job.left <= 0 || unit === 'never') {
        // done (its last send drained), gone, or units we no longer hold nor fetch
        this.queue.splice(i, 1);
        if (this.deps.isLinked(job.neighbour) && job.left > 0)
          this.deps.sendAbsent(job.neighbour, job.seq, { from: job.first, to: job.end });
        continue;
      }
      i++;
      if (unit === undefined || !src.bytes) continue; // still arriving: serve another job meanwhile
      const tight = job.deadline - now <= this.deps.tightSlackMs;
      if (!best || (tight && (!bestTight || job.deadline < best.job.deadline))) {
        best = { job, unit };
        bestTight = tight;
      }
    }
    if (!best) return;
    const { job, unit } = best;
    const src = this.deps.source(job.seq)!;
    // one piece per send: the order is decided again after every piece, so a chunk that just started
    // arriving (cut-through) or a more urgent job does not wait behind a whole chunk
    const unitStart = unit * src.unitBytes;
    const unitEnd = Math.min(src.size, unitStart + src.unitBytes);
    const start = unitStart + (job.partial?.unit === unit ? job.partial.off : 0);
    const piece = Math.max(1, Math.min(this.deps.pieceBytes, SWARM_MAX_PIECE_BYTES));
    const end = Math.min(unitEnd, start + piece);
    job.neighbour.link.send(encodePiece(job.seq, start, src.bytes!.subarray(start, end)));
    if (end < unitEnd) job.partial = { unit, off: end - unitStart };
    else {
      job.partial = undefined;
      job.sent[unit - job.first] = 1;
      job.left--;
    }
    this.current = { job, startedAt: now, bytes: end - start };
    this.uploadBytes += end - start;
  }
}

/**
 * The unit of the job to send next: the one part sent, else the first ready one not sent; undefined when
 * the rest is still on its way to us, 'never' when some of it will not come.
 */
function nextUnit(job: UploadJob, src: UploadSource): number | undefined | 'never' {
  if (job.partial) return job.partial.unit;
  let waiting = false;
  for (let u = job.first; u < job.end; u++) {
    if (job.sent[u - job.first] === 1) continue;
    if (src.ready(u)) return u;
    if (src.covered(u)) waiting = true;
  }
  return waiting ? undefined : 'never';
}

function comesBefore(a: UploadJob, b: UploadJob): boolean {
  const ca = a.neighbour.uploads ? 0 : 1;
  const cb = b.neighbour.uploads ? 0 : 1;
  if (ca !== cb) return ca < cb;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return (a.neighbour.throughput ?? 0) > (b.neighbour.throughput ?? 0);
}
