import type { FlvHeaderFlags, FlvTag } from '@xp2p/protocol';

/** Feeds one publish. Obtained from `origin.openPublisher(name)`. */
export interface Publisher {
  readonly stream: string;
  readonly epoch: string;
  /** true once `end()` was called, or the origin closed */
  readonly ended: boolean;
  /** The source's FLV header flags, if known, before the first tag (otherwise inferred from the tags). */
  setHeader(flags: FlvHeaderFlags): void;
  /** One FLV tag (script, sequence header or media); false once ended (the tag is dropped). */
  push(tag: FlvTag): boolean;
  /** The source ended: viewers get the last chunk, then eof. Idempotent. */
  end(): void;
}
