/**
 * HTTP-FLV viewers and feed readers each hold a socket and whatever is queued to it. Each is already cut
 * when its own backlog passes flvViewerMaxBacklogBytes, but thousands of readers just under that line
 * would still hold gigabytes: so their number is capped, and their queued bytes together have a budget.
 * When the budget is exceeded, the reader being written to is cut if it holds more than its fair share
 * (the budget divided by the readers open), so the slowest go first and the readers that keep up stay.
 */
export interface ReaderLease {
  /** Tells the budget this reader's queued bytes now; false when the reader must be cut. */
  update(queuedBytes: number): boolean;
  release(): void;
}

export class ReaderBudget {
  #open = 0;
  #queued = 0;

  constructor(
    readonly maxReaders: number,
    readonly maxQueuedBytes: number,
  ) {}

  get open(): number {
    return this.#open;
  }

  get queuedBytes(): number {
    return this.#queued;
  }

  /** A lease for one more reader, or undefined when the node holds its maximum. */
  admit(): ReaderLease | undefined {
    if (this.#open >= this.maxReaders) return undefined;
    this.#open++;
    let mine = 0;
    let released = false;
    return {
      update: (queuedBytes) => {
        if (released) return false;
        this.#queued += queuedBytes - mine;
        mine = queuedBytes;
        return this.#queued <= this.maxQueuedBytes || mine <= this.maxQueuedBytes / this.#open;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#queued -= mine;
        this.#open--;
      },
    };
  }
}
