/**
 * The peer's side of the origin's record signatures (protocol/src/swarm/record-signature.ts). Given the
 * stream's key (the stream URL's `pk`), no init or chunk record reaches the engine, and so no hash is
 * trusted, unless the origin signed it for this stream and this publish: the node that relays the records,
 * the path, a cache in front of the origin cannot swap a hash. A record that is unsigned or badly signed is
 * dropped and counted; the engine never learns of it (a chunk it never learns of is skipped, as one the origin
 * skipped). Records pass in the order they came: one check after another, each well under a millisecond.
 * Without a key (a URL without `pk`) the records pass as the node sends them, as before signatures.
 */
import { streamRecordVerifier, type ChunkMeta, type InitMeta, type OriginEvent } from '@xp2p/protocol';

type Verify = Awaited<ReturnType<typeof streamRecordVerifier>>;

export class RecordCheck {
  /** records dropped: unsigned, or not signed by the stream's key for this stream and publish */
  refused = 0;
  /** told of each record dropped (`chunk 12`, `init 0`) */
  onRefused: (what: string) => void = () => {};
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly stream: string,
    private readonly verify: Verify | undefined,
  ) {}

  /** Rejects when a key is given and this runtime cannot verify it (a peer never plays unchecked then). */
  static async create(stream: string, publicKey: string | undefined): Promise<RecordCheck> {
    return new RecordCheck(stream, publicKey ? await streamRecordVerifier(publicKey) : undefined);
  }

  /** Is the record signed for this stream's publish `epoch` (or is there no key to check it with)? */
  async signed(epoch: string, record: { init: InitMeta } | { chunk: ChunkMeta }): Promise<boolean> {
    if (!this.verify || (await this.verify(this.stream, epoch, record).catch(() => false))) return true;
    this.refused++;
    this.onRefused('init' in record ? `init ${record.init.initId}` : `chunk ${record.chunk.seq}`);
    return false;
  }

  /** The signed ones of `chunks` (a manifest's), in order. */
  async chunks(epoch: string, chunks: readonly ChunkMeta[]): Promise<ChunkMeta[]> {
    const ok = await Promise.all(chunks.map((chunk) => this.signed(epoch, { chunk })));
    return chunks.filter((_, i) => ok[i]);
  }

  /** Hands `event` to `deliver` once checked, after every event passed before it; drops it when refused. */
  event(event: OriginEvent, deliver: (event: OriginEvent) => void): void {
    const checked = this.#queue.then(() => event.type === 'eof' || this.signed(event.epoch, event));
    // a throwing consumer must not stop the records after this one
    this.#queue = checked.then((ok) => ok && deliver(event)).catch(() => undefined);
  }
}
