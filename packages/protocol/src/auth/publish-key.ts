/**
 * Publish keys are per stream: the key for NAME is HMAC-SHA256(master, "xp2p-publish\n" + NAME), so a key
 * handed to one publisher publishes that stream only, and the master (in the server's config) never
 * leaves the operator's hands. `xp2p publish` derives it from the config; `xp2p publish-key NAME` prints
 * it for ffmpeg. The origin compares in constant time.
 */
import { base64UrlEncode } from '../bytes.js';
import { hmacSha256 } from './hmac.js';

export const PUBLISH_KEY_CONTEXT = 'xp2p-publish\n';
/** Header a publisher sends its key in (the `key` query parameter works too, for ffmpeg). */
export const PUBLISH_KEY_HEADER = 'x-publish-key';

export async function streamPublishKey(master: string, stream: string): Promise<string> {
  return base64UrlEncode(await hmacSha256(master, PUBLISH_KEY_CONTEXT + stream));
}
