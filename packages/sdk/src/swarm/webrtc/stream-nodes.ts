/**
 * The server nodes a 1vN peer may use for one stream. Every node of a cluster serves every live stream
 * under the same path (the non-origin nodes mirror it with the same epoch and chunk numbers), so the
 * peer can move its tracker membership and chunk fetches to another node and keep its place.
 * Where the alternatives come from, in order of preference after the stream URL's own node:
 * `streamInfo.urls` (the same stream's URL on other nodes) when given, else `appParams.serverUrl`
 * (the cluster's node list; the stream's path is the same on each).
 */
import { parseServerUrls, STREAM_KEY_PARAM, STREAM_KEY_PATTERN } from '@xp2p/protocol';

/** at most this many nodes are tried (appParams allows 16 server URLs) */
export const MAX_STREAM_NODES = 16;

/**
 * http://host/live/NAME.flv[?pk=KEY] → the node's base URL, the stream name, and the stream's public key
 * (protocol/src/swarm/record-signature.ts) when the URL carries one: then every record is checked with it.
 */
export function parseStreamUrl(streamUrl: string): { base: string; stream: string; publicKey?: string } {
  const u = new URL(streamUrl);
  const m = /^\/live\/([A-Za-z0-9_.-]{1,64})\.flv$/.exec(u.pathname);
  const pk = u.searchParams.get(STREAM_KEY_PARAM) ?? undefined;
  if (!m || !/^https?:$/.test(u.protocol) || (pk !== undefined && !STREAM_KEY_PATTERN.test(pk)))
    throw new Error(`not a live stream URL (http://host/live/NAME.flv[?pk=KEY]): ${streamUrl}`);
  return { base: `${u.protocol}//${u.host}`, stream: m[1]!, ...(pk ? { publicKey: pk } : {}) };
}

export interface StreamNodes {
  stream: string;
  /** node base URLs (http(s)://host:port), the stream URL's own first, no duplicates */
  bases: string[];
}

export interface StreamAlternatives {
  /** the same stream on other nodes: http(s)://other/live/NAME.flv (same NAME) */
  urls?: readonly string[];
  /** appParams.serverUrl: the cluster's nodes (http(s) or ws(s) base URLs, a comma list or an array) */
  serverUrl?: string | readonly string[];
}

/** A server URL (ws(s) allowed, as for signalling) as the http(s) base URL of that node. */
export function nodeBaseOf(serverUrl: string): string {
  const u = new URL(serverUrl);
  return `${u.protocol.replace(/^ws/, 'http')}//${u.host}`;
}

/** Throws a clear message when `streamUrl` or an alternative is not usable. */
export function streamNodesOf(streamUrl: string, alt: StreamAlternatives = {}): StreamNodes {
  const { base, stream } = parseStreamUrl(streamUrl);
  const bases = [base];
  const add = (b: string) => {
    if (!bases.includes(b) && bases.length < MAX_STREAM_NODES) bases.push(b);
  };
  if (alt.urls && alt.urls.length > 0) {
    for (const url of alt.urls) {
      const other = parseStreamUrl(url);
      if (other.stream !== stream)
        throw new Error(`urls must name the same stream as url (${stream}), not ${other.stream}: ${url}`);
      add(other.base);
    }
  } else if (alt.serverUrl !== undefined) {
    for (const url of parseServerUrls(alt.serverUrl)) add(nodeBaseOf(url));
  }
  return { stream, bases };
}
