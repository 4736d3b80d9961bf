/**
 * The server's 1vN stream list (`GET /api/streams`, unsigned and read-only) and the live URL of a stream.
 * Names are what the publisher chose; the list is what a "Live rooms" page shows.
 */
import { serverUrl } from './web-api.js';
import { ApiError } from './sdk.js';

export interface StreamSummary {
  stream: string;
  /** a publisher is sending right now */
  live: boolean;
  /** peers in the swarm now */
  peers: number;
  p2pBytes: number;
  cdnBytes: number;
  bitrateKbps: number;
  /** the stream's public key: with it the sdk trusts only records the origin signed */
  pk?: string;
}

/**
 * The origin's live FLV url of a stream, with its public key when the server names one: what the sdk's
 * startP2PService takes for 1vN.
 */
export async function roomStreamUrl(name: string): Promise<string> {
  const url = `${serverUrl()}/live/${encodeURIComponent(name)}.flv`;
  // a room opened from the list knows its key already: no extra round trip before the join
  const pk =
    knownKeys.get(name) ??
    (await fetch(`${serverUrl()}/api/streams/${encodeURIComponent(name)}/stats`, { cache: 'no-store' })
      .then((res) => (res.ok ? (res.json() as Promise<StreamSummary>) : undefined))
      .then((stats) => stats?.pk)
      .catch(() => undefined));
  return pk ? `${url}?pk=${pk}` : url;
}

/** the keys the last stream list named (a stream's key never changes: it is derived from its name) */
const knownKeys = new Map<string, string>();

export async function listStreams(): Promise<StreamSummary[]> {
  const url = `${serverUrl()}/api/streams`;
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, `${serverUrl()}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = (await res.json().catch(() => ({}))) as { streams?: StreamSummary[]; error?: { message?: string } };
  if (!res.ok || !Array.isArray(json.streams)) {
    throw new ApiError(res.status, json.error?.message ?? `server answered ${res.status}`);
  }
  for (const s of json.streams) if (s.pk) knownKeys.set(s.stream, s.pk);
  return json.streams;
}
