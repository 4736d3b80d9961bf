/** ICE server lists: relay (TURN) entries are held back until a direct attempt has had its chance. */
import type { IceServer } from './messages.js';

const isRelay = (s: IceServer) => [s.urls].flat().some((u) => /^turns?:/i.test(u));

/** The ICE servers minus TURN: a direct attempt gathers host and server-reflexive candidates only. */
export const withoutRelay = (servers: IceServer[]): IceServer[] => servers.filter((s) => !isRelay(s));

export const hasRelay = (servers: IceServer[]): boolean => servers.some(isRelay);

/**
 * node-datachannel's polyfill turns a TURN server into `turn:USER:PASS@host` without escaping, and TURN
 * REST usernames are "<expiry>:<user>" (base64 credentials carry '/', '+', '='): escape both so
 * libdatachannel, which URL-decodes them, parses the URL. Browsers take the fields as they are.
 */
export function escapeTurnCredentialsForUrl<T extends { username?: string; credential?: unknown }>(
  servers: T[] | undefined,
): T[] | undefined {
  return servers?.map((s) =>
    s.username && s.credential
      ? { ...s, username: encodeURIComponent(s.username), credential: encodeURIComponent(String(s.credential)) }
      : s,
  );
}
