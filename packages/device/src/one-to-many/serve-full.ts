/**
 * A live request that finds the camera full, from a viewer that allows 1vN: answered 503 (the camera is
 * full, as before) with the name of the channel's 1vN stream in the head's `x-xp2p-1vn` header and its public
 * key in `x-xp2p-1vn-pk` (the viewer checks the origin's records against it). The answer
 * travels on the viewer's own DTLS session, which the camera opened only for a token valid for this device,
 * so only such a viewer learns the name. When no 1vN stream can be had, a plain 503 says why.
 */
import { ONE_TO_MANY_HEADER, ONE_TO_MANY_KEY_HEADER, type LiveQuality } from '@xp2p/protocol';
import type { OneToManyOffer } from './camera-publishes.js';
import type { LiveFeed } from '../live-streams.js';
import type { ResponseWriter } from '../response-writer.js';

/** What the live handler needs of CameraPublishes (camera-publishes.ts). */
export interface OneToManyOffers {
  readonly publishing: number;
  offer(channel: number, quality: LiveQuality, feed: LiveFeed): Promise<OneToManyOffer | undefined>;
}

export async function serveFromOneToMany(
  res: ResponseWriter,
  why: string,
  found: { channel: number; quality: LiveQuality; feed: LiveFeed },
  offers: OneToManyOffers,
): Promise<void> {
  const offer = await offers.offer(found.channel, found.quality, found.feed);
  if (res.closed) return; // the viewer gave up meanwhile
  if (!offer) return res.fail(503, `${why}; its 1vN stream could not start`);
  res.head(503, {
    'x-reason': `${why}; watch its 1vN stream`,
    [ONE_TO_MANY_HEADER]: offer.stream,
    [ONE_TO_MANY_KEY_HEADER]: offer.publicKey,
  });
  res.end();
}
