/**
 * Short-lived TURN credentials for coturn's `use-auth-secret` mode (the "TURN REST API",
 * draft-uberti-behave-turn-rest-00 §2.2): the username is "<expiry unix seconds>:<user>", the password is
 * base64(HMAC-SHA1(shared secret, username)). coturn recomputes the HMAC with its `static-auth-secret` and
 * refuses the username once the expiry has passed, so nothing per user is stored anywhere.
 */
import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  /** "<expiry>:<user>" */
  username: string;
  /** base64(HMAC-SHA1(secret, username)) */
  credential: string;
  /** unix seconds after which coturn refuses them */
  expiresAt: number;
}

/**
 * TURN REST credentials (coturn use-auth-secret): username `expiry:user`, password the HMAC-SHA1 of it
 * keyed with the shared secret, so coturn checks them without a user database.
 *
 * @param secret coturn's static-auth-secret
 * @param user who they are for (appears in coturn's logs); must not contain ':'
 * @param ttlSeconds lifetime; keep it to minutes
 * @param now current time in milliseconds (injected for tests)
 */
export function turnCredentials(
  secret: string,
  user: string,
  ttlSeconds: number,
  now: number = Date.now(),
): TurnCredentials {
  if (!secret) throw new RangeError('TURN secret must not be empty');
  if (user.includes(':')) throw new RangeError('TURN user must not contain ":" (the REST username separator)');
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('TURN credential ttl must be > 0');
  const expiresAt = Math.floor(now / 1000) + Math.floor(ttlSeconds);
  const username = `${expiresAt}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/** The ICE servers entry for a TURN URL (turn:host:port?transport=udp) with fresh credentials. */
export function turnIceServer(
  urls: string | string[],
  secret: string,
  user: string,
  ttlSeconds: number,
  now: number = Date.now(),
): { urls: string | string[]; username: string; credential: string } {
  const { username, credential } = turnCredentials(secret, user, ttlSeconds, now);
  return { urls, username, credential };
}
