/**
 * A stream's publish key: HMAC of the stream name under the node's master key (the same derivation as
 * protocol's streamPublishKey, synchronously). The origin checks publishers with it and derives the stream's
 * signing key from it (stream-signer.ts).
 */
import { createHmac } from 'node:crypto';
import { PUBLISH_KEY_CONTEXT } from '@xp2p/protocol';

export function publishKeyFor(master: string, stream: string): string {
  return createHmac('sha256', master)
    .update(PUBLISH_KEY_CONTEXT + stream)
    .digest('base64url');
}
