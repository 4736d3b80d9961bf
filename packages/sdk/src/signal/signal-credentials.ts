/**
 * How a client proves itself when it opens a signalling or tracker WebSocket: either with the app's
 * credentials (an HMAC over the request, for programs that may hold the app secret: an app's backend, a
 * Node tool), or with a signalling ticket the server issued to a signed-in person (a web page: it never
 * holds an app secret; see the server's auth/signal-ticket.ts). A ticket lives minutes and opens one socket,
 * so a page passes a function that fetches a fresh one: it is called for every socket the sdk opens,
 * reconnects included. A plain string opens one socket only.
 */
import { signAppRequest } from '@xp2p/protocol';
import type { AppParams } from '../app-params.js';

/** A function that fetches a fresh signalling ticket (called per socket), or one ticket (one socket). */
export type TicketSource = string | (() => string | Promise<string>);

/** The app's signing keys, or a ticket source. */
export type SignalCredentials = Pick<AppParams, 'appKey' | 'appSecretKey'> | { ticket: TicketSource };

/** the server refuses anything longer before parsing it */
export const MAX_TICKET_CHARS = 512;

export const validTicket = (t: unknown): t is string =>
  typeof t === 'string' && t.length > 0 && t.length <= MAX_TICKET_CHARS;

/**
 * The query that authenticates a WebSocket upgrade to `url` (the absolute http(s) URL of `/signal/viewer` or
 * `/signal/peer`: an app signature covers its host).
 */
export async function signalQuery(credentials: SignalCredentials, url: string): Promise<URLSearchParams> {
  if ('ticket' in credentials) {
    const source = credentials.ticket;
    const ticket = typeof source === 'function' ? await source() : source;
    if (!validTicket(ticket)) throw new Error('the signalling ticket source gave no usable ticket');
    return new URLSearchParams({ ticket });
  }
  const sig = await signAppRequest(credentials, 'GET', url);
  return new URLSearchParams({
    appKey: sig.appKey,
    timestamp: String(sig.timestamp),
    nonce: sig.nonce,
    signature: sig.signature,
  });
}
